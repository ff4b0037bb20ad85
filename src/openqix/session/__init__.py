"""Sessions: who shares what (registry), handle tables, attached connections, change/close
bookkeeping, TTL. Pure and synchronous; never imports server or asyncio."""
