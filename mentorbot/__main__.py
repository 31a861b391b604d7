import sys

from mentorbot.cli import main

sys.exit(main())
