"""`python -m tests.simulators`: start the YouTube API simulator (options of `tests.simulators.youtube`)."""

from tests.simulators.youtube import main

raise SystemExit(main())
