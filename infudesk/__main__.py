"""`python -m infudesk`."""

import sys

from infudesk.cli import main

sys.exit(main())
