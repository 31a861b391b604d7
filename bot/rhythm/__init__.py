"""The program's rhythm: pulses, quiet-pair nudges, midterm, term notice and the end."""
