import sys

from winit_fast.cli import main

sys.exit(main())
