"""The demo organization `make run` seeds once: enough of every record that the dashboard, the
forecast and each list show something. Everything goes through the services, as an API call
would, so counters, audit entries and events are the ones real use produces."""
from __future__ import annotations

from datetime import timedelta

from chalicelib.core import clock

DEMO_EMAIL = "demo@example.com"

CUSTOMERS = [
    ("Ada Lovelace", "ada@analytical.example", "Analytical Engines", ["demo", "vip"]),
    ("Grace Hopper", "grace@compilers.example", "Compilers Inc", ["demo"]),
    ("Katherine Johnson", "katherine@orbits.example", "Orbital Mechanics", ["demo", "vip"]),
    ("Edsger Dijkstra", "edsger@paths.example", "Shortest Paths BV", ["demo"]),
]
COMPANIES = [
    ("Analytical Engines", "analytical.example", "Computing"),
    ("Compilers Inc", "compilers.example", "Software"),
    ("Orbital Mechanics", "orbits.example", "Aerospace"),
]
LEADS = [
    ("Alan Turing", "alan@bletchley.example", "Bletchley Park", ["hot"]),
    ("Barbara Liskov", "barbara@substitution.example", "Substitution Ltd", ["hot"]),
    ("John Backus", "john@formula.example", "Formula Translation", []),
    ("Frances Allen", "frances@optimizing.example", "Optimizing Co", ["hot"]),
    ("Dennis Ritchie", "dennis@unix.example", "Unix Labs", []),
    ("Margaret Hamilton", "margaret@apollo.example", "Apollo Software", ["hot"]),
]
# (name, amount, days until close, stages it moves through after `lead`, reason if lost)
OPPORTUNITIES = [
    ("Analytical Engines: difference engine", 48000, 20, ["qualified", "proposal", "negotiation"], None),
    ("Compilers Inc: COBOL support", 12000, 35, ["qualified"], None),
    ("Orbital Mechanics: trajectory suite", 90000, 60, ["qualified", "proposal"], None),
    ("Shortest Paths BV: routing licences", 7500, 15, [], None),
    ("Analytical Engines: maintenance", 18000, 5, ["qualified", "proposal", "negotiation", "closed_won"], None),
    ("Compilers Inc: training", 4000, 10, ["qualified", "closed_lost"], "Chose an in-house course"),
]
TICKETS = [
    ("Cannot export the monthly report", "high", None),
    ("Login page is slow", "normal", None),
    ("Invoice shows the wrong currency", "urgent", "pending"),
    ("How do I add a custom field?", "low", "resolved"),
]


def seed(password: str) -> None:
    """Register the demo owner and fill the organization (call once, on an empty store)."""
    from chalicelib.crm.contact_management.services import activities, companies, contacts, customers, leads, notes
    from chalicelib.crm.marketing.services import campaigns
    from chalicelib.crm.sales_pipeline.services import deals, opportunities
    from chalicelib.crm.support.services import tickets
    from chalicelib.platform.services import signups
    from chalicelib.platform.services.roles import OWNER, principal

    registered = signups.register_confirmed(
        {"email": DEMO_EMAIL, "password": password, "name": "Demo Owner", "organization": "Demo Organization"}
    )
    owner = principal(registered["user"]["id"], registered["organization"]["id"], OWNER, "seed")
    today = clock.now().date()

    company_ids = {
        name: companies.records.create(owner, {"name": name, "domain": domain, "industry": industry})["id"]
        for name, domain, industry in COMPANIES
    }
    customer_ids = []
    for name, email, company, tags in CUSTOMERS:
        customer = customers.records.create(owner, {"name": name, "email": email, "company": company, "tags": tags})
        customer_ids.append(customer["id"])
        contacts.records.create(owner, {"name": name, "email": email, "company_id": company_ids.get(company)})
    notes.create_note(owner, {"customer_id": customer_ids[0], "body": "Wants the maintenance plan renewed before summer."})
    activities.create_activity(owner, {
        "customer_id": customer_ids[0],
        "type": "task", "subject": "Send the renewal proposal",
        "due_at": (clock.now() + timedelta(days=3)).strftime("%Y-%m-%dT09:00:00Z"),
    })  # fmt: skip
    activities.create_activity(owner, {"customer_id": customer_ids[1], "type": "call", "subject": "Quarterly check-in"})

    lead_ids = [
        leads.records.create(owner, {"name": name, "email": email, "company": company, "tags": tags})["id"]
        for name, email, company, tags in LEADS
    ]
    for lead_id in lead_ids[:2]:
        leads.convert_lead(owner, lead_id, {})

    for index, (name, amount, days, stages, reason) in enumerate(OPPORTUNITIES):
        opportunity = opportunities.create_opportunity(owner, {
            "name": name, "amount": amount, "customer_id": customer_ids[index % len(customer_ids)],
            "close_date": (today + timedelta(days=days)).isoformat(),
        })  # fmt: skip
        for stage in stages:
            opportunities.change_stage(owner, opportunity["id"], {"stage": stage, "reason": reason}, None)
        if stages[-1:] == ["closed_won"]:
            deal = deals.create_deal(owner, {
                "name": name, "customer_id": opportunity["customer_id"], "opportunity_id": opportunity["id"],
                "line_items": [{"description": "Annual maintenance", "quantity": 1, "unit_price": amount}],
            })  # fmt: skip
            deals.patch_deal(owner, deal["id"], {"status": "won", "close_date": today.isoformat()}, None)
    deals.create_deal(owner, {
        "name": "Compilers Inc: support hours", "customer_id": customer_ids[1],
        "line_items": [{"description": "Support hours", "quantity": 20, "unit_price": 150}],
    })  # fmt: skip

    for index, (subject, priority, status) in enumerate(TICKETS):
        ticket = tickets.create_ticket(owner, {
            "subject": subject, "priority": priority, "customer_id": customer_ids[index % len(customer_ids)],
        })  # fmt: skip
        if status:
            tickets.patch_ticket(owner, ticket["id"], {"status": status}, None)

    campaign = campaigns.create_campaign(owner, {"name": "Spring launch", "channel": "email", "budget": 5000})
    for lead_id in lead_ids[2:5]:
        campaigns.add_member(owner, campaign["id"], {"member_type": "lead", "member_id": lead_id})
    campaigns.add_member(owner, campaign["id"], {"member_type": "customer", "member_id": customer_ids[0]})
    campaigns.convert_member(owner, campaign["id"], customer_ids[0])
    campaigns.create_campaign(owner, {"name": "Autumn webinar", "channel": "event"})


def demo_user_exists() -> bool:
    from chalicelib.platform.tables import users

    return users.find_user(DEMO_EMAIL) is not None


def set_demo_password(password: str) -> None:
    from chalicelib.platform.services.passwords import hash_password
    from chalicelib.platform.tables import users

    users.set_password_hash(DEMO_EMAIL, hash_password(password))
