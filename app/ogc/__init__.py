"""OGC API - Features over the collections that have places (`/ogc`)."""
