"""What WhatsApp writes instead of content, in many locales: media, deletions, edits, events.

Everything here is matched after lower-casing (``casefold``), with the invisible marks and the
``<>``/``‹›`` brackets around a marker removed and a final full stop ignored:

- media left out of the export: ``<Media omitted>``, ``‹Médias omis›``, ``image omitted``,
  ``Bild weggelassen``, ``<Multimedia omitido>``, ``Dokument.pdf • ‎3 Seiten ‎Dokument
  weggelassen`` … (a known marker, or a short text with a locale's "omitted" word);
- media attached to the export: Android ``IMG-20200101-WA0001.jpg (file attached)`` /
  ``(fichier joint)`` / ``(Datei angehängt)`` …, iOS ``<attached: 00000012-PHOTO-….jpg>`` /
  ``‹pièce jointe : …›`` / ``<Anhang: …>`` …;
- deleted messages (``This message was deleted``, ``Ce message a été supprimé``, ``Diese
  Nachricht wurde gelöscht`` …) and the edit marker iOS and Android append (``<This message
  was edited>``, ``‎<Diese Nachricht wurde bearbeitet.>`` …);
- polls (``POLL:``/``UMFRAGE:``/``SONDAGE :`` …) and shared locations (a Google Maps link);
- the kind of a service event (``action``), from multilingual key phrases.
"""

from __future__ import annotations

import re

from vigie.sources.whatsapp_locale import MARKS

_STRIP = MARKS + " \u00a0\u202f<>‹›"

OMITTED = frozenset(
    """media omitted|image omitted|video omitted|audio omitted|sticker omitted|gif omitted
    |document omitted|contact card omitted|video note omitted|médias omis|image absente
    |vidéo absente|audio omis|autocollant omis|gif retiré|document omis|carte de contact omise
    |image omise|vidéo omise|sticker omis|gif omis|fichier omis|medien ausgeschlossen
    |medien weggelassen|bild weggelassen|video weggelassen|audio weggelassen|sticker weggelassen
    |gif weggelassen|dokument weggelassen|kontaktkarte ausgelassen|kontaktkarte weggelassen
    |multimedia omitido|multimedia omitida|archivo multimedia omitido|imagen omitida
    |video omitido|vídeo omitido|audio omitido|sticker omitido|gif omitido|documento omitido
    |tarjeta de contacto omitida|media omessi|immagine omessa|video omesso|audio omesso
    |sticker omesso|gif omessa|gif esclusa|documento omesso|scheda contatto omessa|mídia oculta
    |arquivo de mídia oculto|multimédia omitido|ficheiro multimédia omitido|imagem ocultada
    |imagem omitida|áudio ocultado|áudio omitido|figurinha omitida|cartão de contato omitido
    |media weggelaten|afbeelding weggelaten|video weggelaten|audio weggelaten
    |sticker weggelaten|gif weggelaten|document weggelaten|contactkaart weggelaten
    |без медиафайлов|медиафайлы пропущены|изображение отсутствует|видео отсутствует
    |аудиофайл отсутствует|аудио отсутствует|стикер отсутствует|gif отсутствует
    |документ отсутствует|карточка контакта отсутствует|medya dahil edilmedi|medya atlandı
    |görüntü dahil edilmedi|video dahil edilmedi|ses dahil edilmedi|çıkartma dahil edilmedi
    |gif dahil edilmedi|belge dahil edilmedi|kişi kartı dahil edilmedi|تم استبعاد الوسائط
    |الوسائط محذوفة|تم حذف الوسائط|pominięto multimedia|multimedia pominięte|obraz pominięty
    |media tidak disertakan|gambar tidak disertakan|video tidak disertakan""".replace("\n", "")
    .replace("    ", "")
    .split("|")
)
# A short marked (U+200E) or bracketed text ending with a locale's "omitted" word is one too.
_OMITTED_ENDS = (
    "omitted",
    "omis",
    "omise",
    "omitido",
    "omitida",
    "omesso",
    "omessa",
    "omessi",
    "esclusa",
    "retiré",
    "weggelassen",
    "ausgelassen",
    "ausgeschlossen",
    "oculta",
    "oculto",
    "ocultado",
    "ocultada",
    "weggelaten",
    "отсутствует",
    "пропущено",
    "пропущены",
    "atlandı",
    "pominięty",
    "pominięte",
    "pominięta",
    "dahil edilmedi",
    "tidak disertakan",
    "absente",
    "absent",
)
ATTACH_LABELS = frozenset(
    """file attached|fichier joint|datei angehängt|archivo adjunto|file allegato
    |arquivo anexado|ficheiro anexado|bestand bijgevoegd|файл добавлен|файл прикреплен
    |dosya ekli|الملف مرفق|plik załączony|file terlampir|fil bifogad|vedlagt fil""".replace(
        "\n", ""
    )
    .replace("    ", "")
    .split("|")
)
# Android: "<file name> (<label>)", the label in ATTACH_LABELS or the name a WhatsApp one.
_ANDROID_ATTACHED = re.compile(r"^(.+?) \(([^()]{2,40})\)$")
_WA_NAME = re.compile(r"^(?:IMG|VID|AUD|PTT|STK|DOC|PTV)-\d{8}-WA\d+")
# iOS: "<attached: 00000012-PHOTO-2023-…jpg>", label in any language.
_IOS_ATTACHED = re.compile(
    r"^[<‹][ \u00a0\u202f]?([^:<>‹›]{1,40}?)[ \u00a0\u202f]?:[ \u00a0\u202f]?([^<>‹›]+?)"
    r"[ \u00a0\u202f]?[>›]$"
)
_IOS_NAME = re.compile(r"^\d{8}-[A-Z]+-\d{4}-\d{2}-\d{2}")

DELETED = frozenset(
    """this message was deleted|you deleted this message|ce message a été supprimé
    |vous avez supprimé ce message|diese nachricht wurde gelöscht|du hast diese nachricht gelöscht
    |se eliminó este mensaje|eliminaste este mensaje|este mensaje fue eliminado|mensaje eliminado
    |questo messaggio è stato eliminato|hai eliminato questo messaggio|mensagem apagada
    |esta mensagem foi apagada|você apagou esta mensagem|apagou esta mensagem
    |esta mensagem foi eliminada|eliminou esta mensagem|dit bericht is verwijderd
    |je hebt dit bericht verwijderd|u hebt dit bericht verwijderd|данное сообщение удалено
    |это сообщение удалено|вы удалили данное сообщение|вы удалили это сообщение
    |сообщение удалено|bu mesaj silindi|bu mesajı sildiniz|bu mesajı sildin
    |تم حذف هذه الرسالة|لقد حذفت هذه الرسالة|حذفت هذه الرسالة|ta wiadomość została usunięta
    |usunięto tę wiadomość|pesan ini telah dihapus|anda menghapus pesan ini""".replace("\n", "")
    .replace("    ", "")
    .split("|")
)
DELETED_BY_HEADS = (
    "this message was deleted by ",
    "ce message a été supprimé par ",
    "diese nachricht wurde von ",
    "questo messaggio è stato eliminato da ",
    "esta mensagem foi apagada por ",
)
_EDITED = re.compile(r"[\s\u200e]*[<‹]([^<>‹›\n]{4,60})[>›]$")
_EDITED_WORDS = re.compile(
    r"edited|modifié|bearbeitet|editó|editad[oa]|modificato|bewerkt|изменено|düzenlendi"
    r"|edytowana|diedit|تعديل"
)
_POLL = re.compile(
    r"^(?:poll|umfrage|sondage|encuesta|sondaggio|enquete|peiling|опрос|anket)\s?:", re.I
)
_MAPS = re.compile(r"https?://maps\.google\.[a-z.]+/\?q=(-?\d+\.\d+),(-?\d+\.\d+)")

_ACTIONS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (action, re.compile(pattern))
    for action, pattern in (
        (
            "encryption_notice",
            r"end-to-end|de bout en bout|ende-zu-ende|extremo a extremo"
            r"|ponta a ponta|сквозным шифрованием|uçtan uca|مشفرة|تشفير",
        ),
        (
            "security_code_changed",
            r"security code|code de sécurité|sicherheitsnummer"
            r"|código de seguridad|codice di sicurezza|código de segurança|beveiligingscode"
            r"|код безопасности|güvenlik kodu",
        ),
        (
            "phone_number_changed",
            r"changed to \+|changed their phone number|changé de numéro"
            r"|telefonnummer gewechselt|cambió su número|cambiato numero|mudou seu número"
            r"|nummer gewijzigd|сменил номер|numarasını değiştirdi",
        ),
        (
            "create_group",
            r"created group|a créé le groupe|gruppe .*erstellt|creó el grupo"
            r"|ha creato il gruppo|criou o grupo|groep .*aangemaakt|создал[аи]? групп"
            r"|grubunu oluşturdu|أنشأ",
        ),
        (
            "phone_call",
            r"voice call|video call|appel vocal|appel vidéo|sprachanruf|videoanruf"
            r"|sprachchat|llamada|chiamata|chamada|oproep|звонок|\barama",
        ),
        (
            "join_group_by_link",
            r"joined using|a rejoint|beigetreten|se unió|è entrato"
            r"|entrou usando|lid geworden|присоединил|katıldı|انضم",
        ),
        (
            "disappearing_messages",
            r"disappearing messages|messages éphémères|selbstlöschende"
            r"|mensajes temporales|messaggi effimeri|mensagens temporárias|verdwijnende"
            r"|исчезающие|süreli mesaj",
        ),
        (
            "pin_message",
            r"pinned|épinglé|fixiert|fijó|fissato|fixou|vastgezet|закрепил"
            r"|sabitledi",
        ),
        (
            "edit_group_title",
            r"changed the subject|changed the group name|nom du groupe"
            r"|\bsujet|gruppennamen|\basunto|nombre del grupo|\boggetto|nome do grupo|groepsnaam"
            r"|название|grup adı|konusunu",
        ),
        (
            "edit_group_photo",
            r"\bicon|photo du groupe|gruppenbild|foto del grupo|icona"
            r"|imagem do grupo|groepsafbeelding|фото группы|grup resmi|grup simgesi",
        ),
        (
            "edit_group_description",
            r"description|beschreibung|descripción|descrizione"
            r"|descrição|beschrijving|описание|açıklama",
        ),
        (
            "edit_group_settings",
            r"settings|paramètres|einstellungen|ajustes|configuración"
            r"|impostazioni|configurações|instellingen|настройки|ayarlar",
        ),
        ("promote_admin", r"\badmin"),
        (
            "remove_members",
            r"\bremoved|a retiré|entfernt|eliminó a|ha rimosso|removeu"
            r"|verwijderd|удалил|çıkardı|أزال",
        ),
        (
            "leave",
            r" left$|est parti|a quitté|verlassen|salió|è uscito|saiu|verlaten|вышел"
            r"|ayrıldı|غادر",
        ),
        (
            "invite_members",
            r" added |added$|a ajouté|vous a ajouté|hinzugefügt|añadió|agregó"
            r"|aggiunto|adicionou|toegevoegd|добавил|ekledi|أضاف",
        ),
    )
)


def norm(text: str) -> str:
    """``text`` as the marker tables spell it: no marks or brackets, case-folded, no final dot."""
    return text.strip(_STRIP).rstrip(".").strip(_STRIP).casefold()


def omitted(text: str, marked: bool) -> tuple[str, str | None] | None:
    """(marker, file name or None) when ``text`` says the media was left out, else None.

    ``marked``: the text started with U+200E (iOS), which allows any short "… omitted" text and
    a file name before the marker.
    """
    if len(text) > 300:
        return None
    key = norm(text)
    loose = marked or text[:1] in ("<", "‹")
    if key in OMITTED or (loose and len(key) <= 40 and key.endswith(_OMITTED_ENDS)):
        return text.strip(MARKS + " "), None
    if "\u200e" in text:  # iOS: "Name.pdf • ‎3 pages ‎document omitted"
        head, _, tail = text.rpartition("\u200e")
        key = norm(tail)
        if key in OMITTED or (len(key) <= 40 and key.endswith(_OMITTED_ENDS)):
            name = head.split(" • ", 1)[0].strip(_STRIP)
            return tail.strip(MARKS + " "), name or None
    return None


def attached(first_line: str) -> tuple[str, str] | None:
    """(file name, marker label) when the line says a media file is attached, else None."""
    line = first_line.strip(MARKS + " ")
    if not line or len(line) > 600:
        return None
    if line[0] in "<‹":
        m = _IOS_ATTACHED.match(line)
        if m and ("." in m.group(2) or _IOS_NAME.match(m.group(2))):
            return m.group(2).strip(MARKS), m.group(1)
        return None
    if line[-1] == ")":
        m = _ANDROID_ATTACHED.match(line)
        if m and (norm(m.group(2)) in ATTACH_LABELS or _WA_NAME.match(m.group(1).strip(MARKS))):
            return m.group(1).strip(MARKS), m.group(2)
    return None


def deleted(text: str) -> bool:
    """True for a "this message was deleted" stand-in, in any known locale."""
    if len(text) > 200:
        return False
    key = norm(text)
    return (
        key in DELETED or key.startswith(DELETED_BY_HEADS) or key.endswith(" eliminó este mensaje")
    )


def split_edited(text: str) -> tuple[str, bool]:
    """``text`` without a trailing "<This message was edited>" marker, and whether it had one."""
    if not text or text[-1] not in ">›":
        return text, False
    m = _EDITED.search(text)
    if m and _EDITED_WORDS.search(m.group(1).casefold()):
        return text[: m.start()], True
    return text, False


def is_poll(text: str) -> bool:
    """True when the message is a poll (``POLL:`` and the options on the next lines)."""
    return bool(_POLL.match(text))


def location(text: str) -> str | None:
    """``"lat,lon"`` of a shared location (Google Maps link), else None."""
    if "maps.google" not in text:
        return None
    m = _MAPS.search(text)
    return f"{m.group(1)},{m.group(2)}" if m else None


def action(text: str) -> str | None:
    """The kind of a service event (``create_group``, ``leave`` …), None when unknown."""
    folded = text[:400].casefold()
    for name, pattern in _ACTIONS:
        if pattern.search(folded):
            return name
    return None


MEDIA_KINDS = {
    "jpg": "photo", "jpeg": "photo", "png": "photo", "heic": "photo", "webp": "sticker",
    "gif": "gif", "mp4": "video", "3gp": "video", "mov": "video", "mkv": "video",
    "opus": "voice", "ogg": "voice", "m4a": "audio", "mp3": "audio", "aac": "audio",
    "wav": "audio", "amr": "audio", "vcf": "contact", "pdf": "file",
}  # fmt: skip
MIME_TYPES = {
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "heic": "image/heic",
    "webp": "image/webp", "gif": "image/gif", "mp4": "video/mp4", "3gp": "video/3gpp",
    "mov": "video/quicktime", "opus": "audio/ogg", "ogg": "audio/ogg", "m4a": "audio/mp4",
    "mp3": "audio/mpeg", "aac": "audio/aac", "wav": "audio/wav", "vcf": "text/vcard",
    "pdf": "application/pdf",
}  # fmt: skip


def media_kind(file_name: str) -> tuple[str, str | None]:
    """(Vigie media kind, MIME type or None) guessed from a WhatsApp attachment name."""
    ext = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    base = file_name.rsplit("/", 1)[-1].upper()
    kind = MEDIA_KINDS.get(ext, "file")
    if base.startswith(("PTT-", "AUD-")) or "-AUDIO-" in base:
        kind = "voice" if base.startswith("PTT-") or ext == "opus" else "audio"
    elif base.startswith("STK-") or "-STICKER-" in base:
        kind = "sticker"
    elif ext == "webp" and ("-PHOTO-" in base or base.startswith("IMG-")):
        kind = "photo"
    return kind, MIME_TYPES.get(ext)
