"""Offence provisions cited in takedown notices, per jurisdiction and label, and label wording.

Built-in tables are a starting point that the notifier must check against the law in force:
``[offences]`` in ``vigie.toml`` replaces the list of any label. ``FR`` cites the Code pénal and
the Code de la santé publique; ``EU`` cites the Council Framework Decision on illicit drug
trafficking, for notifiers outside a national framework.
"""

from __future__ import annotations

from vigie.config import ConfigError, Settings

_CP_TRAFFIC = (
    "Code pénal, art. 222-37 (transport, détention, offre, cession, acquisition ou emploi "
    "illicites de stupéfiants)"
)
_CP_RETAIL = (
    "Code pénal, art. 222-39 (offre ou cession de stupéfiants pour consommation personnelle)"
)
_CSP_INCITE = (
    "Code de la santé publique, art. L3421-4 (provocation aux infractions à la législation sur les "
    "stupéfiants, ou présentation de ces infractions sous un jour favorable)"
)
_CP_MINORS = (
    "Code pénal, art. 227-18-1 (provocation directe d'un mineur à transporter, détenir, offrir ou "
    "céder des stupéfiants)"
)
_EU_FD = (
    "Council Framework Decision 2004/757/JHA, art. 2 (offering, selling, distributing, "
    "delivering drugs)"
)

OFFENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "FR": {
        "sale": (_CP_TRAFFIC, _CP_RETAIL, _CSP_INCITE),
        "promotion": (_CSP_INCITE, _CP_TRAFFIC),
        "logistics": (_CP_TRAFFIC,),
        "police_watch": (_CP_TRAFFIC,),
        "recruitment": (_CP_TRAFFIC, _CSP_INCITE),
        "minors": (_CP_MINORS, "Code pénal, art. 227-18 (provocation d'un mineur à l'usage)"),
        "violence": (
            "Code pénal, art. 222-17 et 222-18 (menaces)",
            "Code pénal, art. 222-7 et s. (violences)",
        ),
        "weapons": (
            "Code pénal, art. 222-52 (acquisition, détention ou cession d'armes des catégories "
            "A ou B sans autorisation)",
        ),
        "counterfeit": ("Code pénal, art. 442-1 et 442-2 (fausse monnaie)",),
        "laundering": (
            "Code pénal, art. 222-38 (blanchiment du produit du trafic de stupéfiants)",
            "Code pénal, art. 324-1 (blanchiment)",
        ),
        "supplies": (_CP_TRAFFIC,),
        "channel_migration": (_CP_TRAFFIC,),
        "testimonial": (_CSP_INCITE,),
        "payment": (_CP_TRAFFIC,),
    },
    "EU": {
        label: (_EU_FD,)
        for label in (
            "sale",
            "promotion",
            "logistics",
            "recruitment",
            "supplies",
            "channel_migration",
            "payment",
        )
    },
}

LABEL_TEXT: dict[str, str] = {
    "sale": "offers controlled drugs for sale (menu, price list, product advertisement)",
    "promotion": "promotes drug sales (free delivery, discounts, loyalty cards, contests, samples)",
    "logistics": "organises drug delivery or pick-up (places, hours, delivery areas)",
    "police_watch": "warns buyers of police presence to keep a drug-selling point running",
    "recruitment": "recruits people for drug-trafficking roles (lookouts, sellers, couriers)",
    "minors": "targets or involves minors",
    "violence": "threatens or shows violence (reprisals, beatings, shootings)",
    "weapons": "offers or displays firearms, ammunition or other weapons",
    "counterfeit": "offers counterfeit banknotes",
    "laundering": "offers money-laundering services or advice",
    "supplies": "offers supplies for drug sellers (packaging, scales, untraceable phones)",
    "channel_migration": "announces a backup or successor channel of a drug-selling channel",
    "testimonial": "publishes buyer testimonials that present drug sales favourably",
    "payment": "gives payment instructions for drug purchases",
}


def offences_for(settings: Settings, labels: list[str]) -> list[str]:
    """Provisions for ``labels`` (order kept, duplicates removed), overrides first."""
    code = str(settings["jurisdiction.code"]).upper()
    table = OFFENCES.get(code)
    if table is None and not settings.offences:
        raise ConfigError(
            f"no offence provisions for jurisdiction {code!r} (built-in: "
            f"{', '.join(OFFENCES)}); add an [offences] table to vigie.toml"
        )
    found: list[str] = []
    for label in labels:
        provisions = settings.offences.get(label) or (table or {}).get(label, ())
        found.extend(p for p in provisions if p not in found)
    return found


__all__ = ["LABEL_TEXT", "OFFENCES", "offences_for"]
