"""Contact management: customers (with notes and activities), leads, contacts and companies."""
