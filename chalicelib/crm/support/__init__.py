"""Support: tickets, SLA policies, the knowledge base."""
