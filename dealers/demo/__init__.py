"""The demo's dealerships: `data` holds the specs, `seed` writes them through the services."""
