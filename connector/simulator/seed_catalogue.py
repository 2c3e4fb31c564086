"""The seed's catalogue: the names, policies and OUs a seeded organisation is built from.

Pure data, so that the generator in `seed.py` reads as the rules that combine it. Names are
those a platform team would choose (teams, roles, environments, a landing zone's core
accounts), so that logs and failing tests read like a real organisation.
"""

from __future__ import annotations

# --- groups -----------------------------------------------------------------------------------

TEAMS = ("Payments", "Data Platform", "SecOps", "Identity", "Billing", "Mobile", "Web",
         "Search", "Machine Learning", "Infrastructure", "Networking", "Finance", "HR Systems",
         "Support", "Observability", "Release", "Fraud", "Risk", "Compliance", "Growth",
         "Analytics", "Storage", "Edge", "Kubernetes", "Marketing")  # fmt: skip
ROLES = ("Engineers", "Admins", "On-Call", "Read-Only", "Developers", "Leads", "Analysts",
         "Auditors", "Operators", "Contractors", "Break-Glass", "Approvers")  # fmt: skip
GROUP_REGIONS = ("", " (EMEA)", " (APAC)", " (AMER)", " (LATAM)", " - Japan", " - DACH")
UNICODE_GROUPS = ("Équipe Paiements", "経理チーム", "Команда данных", "Ομάδα Υποδομής",
                  "Área de Dados", "Sicherheit & Compliance", "情報セキュリティ部")  # fmt: skip
GROUP_DESCRIPTIONS = (
    "Members of {}",
    "{}: access requests go through the IGA platform",
    "Synced from Entra ID. Do not edit by hand.",
    "{} (owner: platform)",
)

# --- permission sets --------------------------------------------------------------------------

# AWS managed policies that moto's IAM knows too (tests/test_seed.py checks), by name.
_JOB_FUNCTIONS = ("ViewOnlyAccess", "Billing", "DataScientist", "DatabaseAdministrator",
                  "NetworkAdministrator", "SystemAdministrator", "SupportUser")  # fmt: skip
_ROOT_POLICIES = ("AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "SecurityAudit",
                  "IAMFullAccess", "AWSSupportAccess", "AmazonS3ReadOnlyAccess",
                  "CloudWatchReadOnlyAccess")  # fmt: skip
AWS_MANAGED_POLICY_ARNS: dict[str, str] = {
    **{name: f"arn:aws:iam::aws:policy/{name}" for name in _ROOT_POLICIES},
    **{name: f"arn:aws:iam::aws:policy/job-function/{name}" for name in _JOB_FUNCTIONS},
}

# Name, AWS managed policies by name, description; ordered by popularity: the first ones are
# assigned most widely.
PERMISSION_SETS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("ReadOnly", ("ReadOnlyAccess",), "Read every resource; the default for engineers"),
    ("Developer", ("PowerUserAccess",), "Build and run workloads, no IAM changes"),
    ("AdministratorAccess", ("AdministratorAccess",), "Full access; platform owners only"),
    ("ViewOnly", ("ViewOnlyAccess",), "See resources and metadata, not data"),
    ("Billing", ("Billing",), "Invoices, budgets and cost reports"),
    ("SecurityAudit", ("SecurityAudit", "ViewOnlyAccess"), "Read security configuration"),
    ("PowerUser", ("PowerUserAccess",), "Everything but IAM and Organizations"),
    ("DataScientist", ("DataScientist",), "Notebooks, training jobs and data lakes"),
    ("DatabaseAdmin", ("DatabaseAdministrator",), "Operate RDS, DynamoDB and Redshift"),
    ("NetworkAdmin", ("NetworkAdministrator",), "VPCs, transit gateways, DNS"),
    ("SystemAdmin", ("SystemAdministrator",), "Operate EC2 fleets and patching"),
    ("SupportUser", ("SupportUser", "AWSSupportAccess"), "Open and follow AWS support cases"),
    ("IncidentResponder", ("ReadOnlyAccess", "AWSSupportAccess"), "On-call triage"),
    ("S3Reader", ("AmazonS3ReadOnlyAccess",), "Read objects in S3"),
    ("ObservabilityReader", ("CloudWatchReadOnlyAccess",), "Dashboards, logs and alarms"),
    ("IAMAdmin", ("IAMFullAccess",), "Manage roles and policies"),
    ("BreakGlass", ("AdministratorAccess",), "Emergency access, alarmed on use"),
    ("PlatformEngineer", ("PowerUserAccess", "IAMFullAccess"), "Run the landing zone"),
    ("Auditor", ("SecurityAudit",), "External auditors, read-only"),
    ("CostExplorer", (), "Cost Explorer only, through an inline policy"),
)
SESSIONS = ("PT1H", "PT2H", "PT4H", "PT8H", "PT12H")
RELAY_STATES = ("https://console.aws.amazon.com/billing/home",
                "https://eu-west-1.console.aws.amazon.com/cloudwatch/home",
                "https://s3.console.aws.amazon.com/s3/home?region=us-east-1#")  # fmt: skip

# --- accounts ---------------------------------------------------------------------------------

OuPath = tuple[str, ...]  # from the root down, as `PlannedAccount.ou_path`
ENVIRONMENTS: tuple[tuple[str, OuPath], ...] = (
    ("prod", ("Workloads", "Prod")), ("staging", ("Workloads", "NonProd")),
    ("dev", ("Workloads", "NonProd")), ("qa", ("Workloads", "NonProd")),
    ("perf", ("Workloads", "NonProd")), ("sandbox", ("Sandbox",)),
)  # fmt: skip
CORE_ACCOUNTS: tuple[tuple[str, OuPath], ...] = (
    ("log-archive", ("Security",)), ("audit", ("Security",)), ("security-tooling", ("Security",)),
    ("network-hub", ("Infrastructure",)), ("shared-services", ("Infrastructure",)),
)  # fmt: skip
EMPTY_OUS: tuple[OuPath, ...] = (("Transitional",), ("Workloads", "Archive"))

# --- applications -----------------------------------------------------------------------------

# (name, description, provider ARN): customer managed SAML and OAuth applications use the
# "custom" providers; AWS managed applications name theirs. Provider ARNs are of the
# ApplicationProviderArn pattern of the sso-admin API reference.
_CUSTOM = "arn:aws:sso::aws:applicationProvider/custom"
APPLICATIONS: tuple[tuple[str, str, str], ...] = (
    ("Payroll", "Salaries and payslips (SAML)", f"{_CUSTOM}-saml"),
    ("Wiki", "The engineering wiki (OAuth)", _CUSTOM),
    ("Expenses", "Expense claims (SAML)", f"{_CUSTOM}-saml"),
    ("Amazon Q Developer", "AWS managed", "arn:aws:sso::aws:applicationProvider/catalog/q"),
    ("Ticketing", "Service desk (SAML)", f"{_CUSTOM}-saml"),
)
