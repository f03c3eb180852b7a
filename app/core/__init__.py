"""The kit: what every collection uses and no collection is named in. HTTP (`http`), queries
(`query`), rendering (`render`), the database (`db`), settings, logs and metrics. It imports
nothing from the application outside itself (an import-linter contract says so)."""
