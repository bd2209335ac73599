"""Constructed channels (fictional, written for Vigie) with one case per successor rule."""

from __future__ import annotations

from datetime import date, timedelta

from tests.link.builders import Msg

MARSEILLE = ("place", "13055", {"name": "Marseille", "kind": "commune", "departement": "13"})
LYON = ("place", "69123", {"name": "Lyon", "kind": "commune", "departement": "69"})

CHANNELS: dict[str, tuple[str, dict[str, object] | None]] = {
    "1001": ("Menu 13", None),
    "1002": ("Menu13 Secours", {"username": "menu13_secours"}),
    "1003": ("Le Plug du 14", None),
    "1004": ("Plug 14 bis", None),
    "1005": ("Chicha Express", None),
    "1006": ("Express 2", None),
    "1007": ("Concurrent 13", None),
    "2001": ("Actu Marseille", None),
}


def offer(
    product: str, grams: float, price: float, unit: str = "g"
) -> tuple[str, str, dict[str, object]]:
    return (
        "offer",
        product,
        {
            "product": product,
            "quantity": grams,
            "unit": unit,
            "price": price,
            "currency": "EUR",
            "price_per_unit": price / grams,
        },
    )


def menu_a(day: int) -> str:
    return (
        "🍫🍫 MENU DU JOUR 🍫🍫\n🟡 Jaune mousseux : 10g = 80€ / 25g = 180€\n"
        "🥦 Amnesia Haze : 5g = 50€ / 10g = 90€\n❄️ Coco 1g = 70€\n"
        f"🚚 Livraison gratuite Marseille 13e 14e 15e dès 50€ (jour {day})\n"
        "📲 Commande au 06 12 34 56 78 ou snap menu13off"
    )


def menu_e_copy(price: int) -> str:
    """E's menu copied by F: other prices, a line dropped, a few words changed."""
    return (
        menu_e(price)
        .replace("Carte du soir", "Nouvelle carte")
        .replace("cadeau fidélité au 10e achat, ", "")
        + " 🔥🔥"
    )


MENU_B = (
    "🔥 Nouveau départ les gars 🔥 Frappe du moment : Filtré 73u ✨ 10g à 100 balles, "
    "la Cali Gelato 20g pour 200, livreur dispo de 18h à 2h sur tout Marseille, "
    "paiement cash uniquement"
)
MENU_C = (
    "Le Plug du 14 ouvert 7j/7 de 11h à 23h. Pollen Mousseux 5g 40€, Beuh Lemon 3g 30€, "
    "on se déplace pas, récup sur place au point habituel, contact 06 98 76 54 32"
)
MENU_D = (
    "Plug 14 bis, même équipe même qualité : résine 10g 70€, Weed Purple 5g 45€. "
    "Pas de livraison, récup uniquement. Tel 06 98 76 54 32 — pas d'appels masqués"
)


def menu_e(price: int) -> str:
    return (
        "🌈 CHICHA EXPRESS 🌈 Carte du soir 👉 Marocain premium 10g "
        f"{price}€ 👉 Hash Charas 5g {price // 2}€ 👉 Skunk 5g 45€ "
        "🛵 on livre en 30 minutes dans tout Lyon, cadeau fidélité au 10e achat, "
        "commandes par message privé uniquement"
    )


def days(start: date, count: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(count)]


def scenario() -> list[Msg]:
    """Successor rules, each with its own pair of channels, plus a journalist and a rival."""
    msgs: list[Msg] = []
    phone_a = ("phone", "+33612345678", None)
    snap_a = ("handle", "snapchat:menu13off", None)
    for i, d in enumerate(days(date(2024, 1, 1), 31)):
        msgs.append(
            Msg(
                "1001",
                str(i),
                f"{d}T10:00:00",
                menu_a(i),
                ("sale", "promotion", "logistics"),
                (
                    offer("cannabis_resin", 10, 80),
                    offer("cannabis_resin", 25, 180),
                    offer("cannabis_herb", 5, 50),
                    offer("cocaine", 1, 70),
                    MARSEILLE,
                    phone_a,
                    snap_a,
                ),
            )
        )
    msgs.append(
        Msg(
            "1001",
            "100",
            "2024-01-30T11:00:00",
            "⚠️ Canal de secours : https://t.me/menu13_secours rejoignez avant le ban ⚠️",
            ("channel_migration",),
            (("url", "https://t.me/menu13_secours", None),),
        )
    )
    for i, d in enumerate(days(date(2024, 2, 1), 28)):
        msgs.append(
            Msg(
                "1002",
                str(i),
                f"{d}T18:30:00",
                MENU_B,
                ("sale", "logistics"),
                (offer("cannabis_resin", 10, 100), offer("cannabis_herb", 20, 200), MARSEILLE),
            )
        )
    phone_c = ("phone", "+33698765432", None)
    for i, d in enumerate(days(date(2024, 1, 1), 20)):
        msgs.append(
            Msg(
                "1003",
                str(i),
                f"{d}T12:00:00",
                MENU_C,
                ("sale", "logistics"),
                (offer("cannabis_resin", 5, 40), offer("cannabis_herb", 3, 30), MARSEILLE, phone_c),
            )
        )
    for i, d in enumerate(days(date(2024, 1, 22), 30)):
        msgs.append(
            Msg(
                "1004",
                str(i),
                f"{d}T12:00:00",
                MENU_D,
                ("sale", "logistics"),
                (
                    offer("cannabis_resin", 10, 70),
                    offer("cannabis_herb", 5, 45),
                    MARSEILLE,
                    phone_c,
                ),
            )
        )
    for i, d in enumerate(days(date(2024, 1, 1), 15)):
        msgs.append(
            Msg(
                "1005",
                str(i),
                f"{d}T20:00:00",
                menu_e(60),
                ("sale", "promotion"),
                (offer("cannabis_resin", 10, 60), LYON),
            )
        )
    for i, d in enumerate(days(date(2024, 1, 17), 25)):
        msgs.append(
            Msg(
                "1006",
                str(i),
                f"{d}T21:00:00",
                menu_e_copy(70),
                ("sale", "promotion"),
                (offer("cannabis_resin", 10, 70), LYON),
            )
        )
    for i, d in enumerate(days(date(2024, 1, 1), 31)):
        msgs.append(
            Msg(
                "1007",
                str(i),
                f"{d}T15:00:00",
                f"Concurrent 13 — arrivage frais, tarif {i} : résine 10g 90€, beuh 10g 100€. "
                "Appelez le 06 12 34 56 78, je réponds de midi à minuit",
                ("sale",),
                (offer("cannabis_resin", 10, 90), MARSEILLE, phone_a),
            )
        )
    news = [
        "Conseil municipal ce soir : le budget des écoles sera voté à 19h.",
        "Travaux sur la ligne 2 du métro tout le week-end, prévoyez des bus de remplacement.",
        "Match de l'OM samedi : circulation difficile autour du stade.",
    ]
    for i, d in enumerate(days(date(2024, 1, 1), 45)):
        msgs.append(Msg("2001", str(i), f"{d}T08:00:00", news[i % len(news)]))
    msgs.append(
        Msg(
            "2001",
            "900",
            "2024-02-02T09:00:00",
            "Selon la police, le canal Menu 13 a été fermé ; ses clients sont invités à rejoindre "
            "le canal de secours @menu13_secours. Le Plug du 14 aurait lui aussi changé de numéro, "
            "le 06 12 34 56 78 ne répond plus.",
            (),
            (("handle", "telegram:@menu13_secours", None), phone_a),
        )
    )
    msgs.append(
        Msg(
            "2001",
            "901",
            "2024-02-20T09:00:00",
            "Enquête : après la fermeture de Chicha Express, un nouveau canal « Express 2 » a pris "
            "le relais, rejoignez notre direct à 18h pour en parler.",
            (),
            (),
        )
    )
    return msgs
