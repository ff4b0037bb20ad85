"""`python -m openqix ...` is the same as the `openqix` command."""

import sys

from openqix.cli import main

sys.exit(main())
