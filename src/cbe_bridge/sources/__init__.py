"""Source adapters: each reads one platform into canonical records."""
