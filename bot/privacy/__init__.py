"""People's data: what is kept, export, forget-me and erasure."""
