from zapdesk.cli import main

raise SystemExit(main())
