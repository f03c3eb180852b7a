"""The suites of `make bench`, each adding its figures to the run's report: imports (building
a corpus), loads (every query of the mix), stall (cheap requests beside heavy ones), memory
(RSS, and a walk of every claim) and compare (the API beside the floor, the ceiling and
Datasette)."""
