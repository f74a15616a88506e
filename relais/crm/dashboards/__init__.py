"""Per-user dashboards of widgets over the CRM's records."""
