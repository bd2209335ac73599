"""Detection on constructed messages: each label's typical posts, and the hard negatives."""

from __future__ import annotations

import pytest

from vigie.analyse.pipeline import Analyser
from vigie.model import LABELS


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return Analyser()


# (message, labels that must be decided) — written for these tests, not taken from any corpus
POSITIVES: list[tuple[str, set[str]]] = [
    # menus
    ("🔥 MENU 🔥\n🍫 Jaune mousseux 10g = 70€\n🥦 Amnesia 5g = 50€\n❄️ Coco 1g = 70€", {"sale"}),
    ("𝐍𝐎𝐔𝐕𝐄𝐀𝐔 𝐌𝐄𝐍𝐔 ✨ Filtré 120u 20€ le g, Cali US 15€ le g", {"sale"}),
    ("Arrivage de beuh 🥦 dispo h24, 10 le g, commande sur snap", {"sale"}),
    ("c0k3 dispo, 1g 60€, 2g 110€", {"sale"}),
    ("2g Moroccan hash - top quality - free shipping", {"sale"}),
    ("MDMA crystals 84% 5g $120 stealth shipping", {"sale"}),
    # promotion, logistics, payment attached to offers
    ("🎁 Livraison gratuite dès 50€ et un pochon offert pour 10 achetés", {"promotion"}),
    (
        "🎉 Jeu concours : une PS5 à gagner parmi les clients, tirage au sort dimanche",
        {"promotion"},
    ),
    ("🛵 Livraison 7j/7 sur tout le 13, ouvert de 11h à 2h", {"logistics"}),
    ("⏰ Changement d'horaires : on ouvre à 8h demain, fermé à 20h", {"logistics"}),
    ("💳 Paiement espèces, PCS ou Transcash, envoie le code en privé", {"payment"}),
    ("On accepte le BTC et l'USDT, adresse du wallet en privé", {"payment"}),
    # police watch
    (
        "🚨 Les keufs sont au bloc, on ferme jusqu'à 18h, désolé pour la gêne occasionnée",
        {"police_watch"},
    ),
    ("⚠️ La BAC tourne sur le secteur, ne venez pas pour l'instant", {"police_watch"}),
    ("ARAH les schmits arrivent, tout le monde bouge", {"police_watch"}),
    # recruitment, minors
    (
        "🚨 ON RECRUTE 🚨 guetteurs et charbonneurs, 150€ par jour, payé chaque soir",
        {"recruitment"},
    ),
    ("Cherche nourrice sérieuse pour garder de la marchandise, 500€ la semaine", {"recruitment"}),
    (
        "Offre d'emploi : chouf au four de Nîmes, 120€/jour, logé nourri, transport remboursé",
        {"recruitment"},
    ),
    ("On recrute des guetteurs, mineurs acceptés, 100€ la journée", {"recruitment", "minors"}),
    (
        "Tu as 15 ans et tu veux de l'argent de poche ? Guetteur après les cours, 80€/jour",
        {"recruitment", "minors"},
    ),
    # violence
    ("Voilà ce qui arrive aux balances 🎥 que ça serve de leçon", {"violence"}),
    ("On sait où t'habites, t'es un homme mort", {"violence"}),
    ("je vais te défoncer à la sortie tu vas voir", {"violence"}),
    # side markets
    ("🔫 Glock 19 avec 2 chargeurs et 50 balles, 1500€", {"weapons"}),
    ("Kalash dispo, prix sur demande, sérieux uniquement", {"weapons"}),
    ("Faux billets de 50 qualité A+, passent au stylo et aux UV", {"counterfeit"}),
    ("Counterfeit $20 bills, pass pen test, $300 for $1000", {"counterfeit"}),
    ("Tu as du cash à justifier ? Fausses fiches de paie et société écran", {"laundering"}),
    ("Rachat de tickets gagnants, cash contre chèque", {"laundering"}),
    ("⚖️ Balance de précision + 100 sachets zip, 25€ le kit", {"supplies"}),
    ("📱 Téléphones intraçables avec puce prépayée, 150€", {"supplies"}),
    ("TMAX volé avec fausses plaques, 2000€", {"supplies"}),
    # channels and customers
    (
        "⚠️ Le canal va sauter, rejoignez le canal de secours : t.me/exemple_secours",
        {"channel_migration"},
    ),
    ("🆕 Nouveau compte snap, l'ancien a été supprimé, ajoutez-nous", {"channel_migration"}),
    ("⭐⭐⭐⭐⭐ livré en 20 minutes, service au top, je recommande", {"testimonial"}),
    ("Avis client : livraison rapide et discrète, client satisfait", {"testimonial"}),
]

# (message, labels that must NOT be decided)
NEGATIVES: list[tuple[str, set[str]]] = [
    (
        "Saisie record de 2 tonnes de cocaïne au Havre, trois suspects en garde à vue selon le parquet",
        {"sale"},
    ),
    (
        "Trafic de drogue : le réseau démantelé recrutait des guetteurs mineurs, selon la procureure",
        {"sale", "recruitment", "minors"},
    ),
    ("Drogues Info Service : besoin d'aide avec le cannabis ? Appel anonyme et gratuit", {"sale"}),
    ("Prévention : les dangers du protoxyde d'azote chez les jeunes", {"sale", "minors"}),
    (
        "Nous recrutons des vendeurs en boutique H/F, CDI, 1800€ net, envoyez votre CV",
        {"recruitment"},
    ),
    ("Hiring sales staff, salary 4000 per month, apply with your resume", {"recruitment"}),
    ("🍕 Menu pizza + boisson 12€, livraison gratuite dès 20€", {"sale"}),
    ("Restaurant ouvert 7j/7, plat du jour 11€, à emporter ou sur place", {"sale"}),
    ("t'es trop con toi mdr ferme ta gueule", {"violence", "sale"}),
    ("sale bouffon va", {"sale", "violence"}),
    ("Le PSG a battu l'OM 3-0, quelle frappe de Mbappé", {"sale"}),
    ("Vends iPhone 13 128go, 450€, très bon état", {"sale", "supplies"}),
    ("Recette : 200g de farine, 100g de sucre, 3 oeufs", {"sale"}),
    ("La police recrute : concours de gardien de la paix ouvert", {"recruitment", "police_watch"}),
    ("Les gendarmes ont saisi 20 kg de résine lors d'une perquisition", {"sale", "police_watch"}),
    ("Joyeux anniversaire ! 🎉🎂🔥🔥", set(LABELS)),
    ("mdr 💀💀💀", set(LABELS)),
    ("", set(LABELS)),
]


@pytest.mark.parametrize(("text", "labels"), POSITIVES, ids=[t[:40] for t, _ in POSITIVES])
def test_detects_trafficking_posts(analyser: Analyser, text: str, labels: set[str]) -> None:
    analysis = analyser([text])[0]
    missing = labels - set(analysis.positive())
    assert not missing, {ls.label: ls.score for ls in analysis.labels if ls.label in missing}


@pytest.mark.parametrize(("text", "labels"), NEGATIVES, ids=[t[:40] for t, _ in NEGATIVES])
def test_leaves_hard_negatives_alone(analyser: Analyser, text: str, labels: set[str]) -> None:
    analysis = analyser([text])[0]
    wrong = labels & set(analysis.positive())
    assert not wrong, {ls.label: ls.score for ls in analysis.labels if ls.label in wrong}


def test_every_label_has_a_score_and_decision(analyser: Analyser) -> None:
    analysis = analyser(["🍫 10g 70€ livraison gratuite"])[0]
    assert [ls.label for ls in analysis.labels] == list(LABELS)
    for ls in analysis.labels:
        assert 0.0 <= ls.score <= 1.0
        assert ls.decision == bool(ls.cues) or not ls.decision


def test_cues_point_at_the_original_text(analyser: Analyser) -> None:
    text = "Dispo 🅲🅾🅺🅴 1g = 70€, livraison gratuite"
    analysis = analyser([text])[0]
    sale = next(ls for ls in analysis.labels if ls.label == "sale")
    assert sale.decision
    spans = {text[c.start : c.end] for c in sale.cues if c.end > c.start}
    assert "🅲🅾🅺🅴" in spans
    for cue in sale.cues:
        assert 0 <= cue.start <= cue.end <= len(text)
        assert cue.kind in {"lexicon", "pattern", "feature", "ngram"}


def test_context_cues_pull_scores_down(analyser: Analyser) -> None:
    offer = "Coco 1g 70€, cannabis 10g 80€"
    news = "Selon le parquet, les trafiquants vendaient coco 1g 70€ et cannabis 10g 80€"
    offer_score = next(ls.score for ls in analyser([offer])[0].labels if ls.label == "sale")
    news_score = next(ls.score for ls in analyser([news])[0].labels if ls.label == "sale")
    assert news_score < offer_score


def test_context_held_labels_show_their_cues(analyser: Analyser) -> None:
    text = "Selon le parquet, les trafiquants vendaient la coco 70€ le gramme sur Snapchat"
    sale = next(ls for ls in analyser([text])[0].labels if ls.label == "sale")
    assert not sale.decision
    negative = {text[c.start : c.end] for c in sale.cues if c.weight < 0}
    assert "selon le parquet" in {t.lower() for t in negative}
    assert any(c.weight > 0 for c in sale.cues)
