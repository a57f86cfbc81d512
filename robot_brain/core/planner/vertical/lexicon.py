"""Hand-kept multilingual word lists: place concepts, connectives, negations, number words.

Places are not learned. A world's place is found by its own name ("living_room" -> "living
room"), by aliases given with the world, and by the synonyms below when the place's name is one
of these canonical concepts. A new world whose places are called "garage" or "bedroom" therefore
works without retraining; one whose places have no entry here still works by name and aliases.
The lists are written in the folded form text.fold() produces (lower case, no accents).
"""

from __future__ import annotations

from typing import Mapping

#: Canonical place concept -> synonyms in en/fr/de/es/zh (plus a few it/ja).
PLACE_CONCEPTS: Mapping[str, tuple[str, ...]] = {
    "kitchen": ("kitchen", "kitchenette", "cuisine", "kuche", "kueche", "cocina", "厨房",
                "cucina", "キッチン", "台所"),
    "door": ("door", "front door", "entrance", "entry", "doorway", "porte", "porte d'entree",
             "entree", "tur", "tuer", "haustur", "eingang", "eingangstur", "puerta", "entrada",
             "门口", "大门", "门", "porta", "ingresso", "ドア", "玄関"),
    "window": ("window", "fenetre", "fenster", "ventana", "窗户", "窗边", "窗口", "窗",
               "finestra", "窓"),
    "living_room": ("living room", "lounge", "sitting room", "couch", "sofa", "salon",
                    "sejour", "salle de sejour", "canape", "wohnzimmer", "sala",
                    "sala de estar", "客厅", "沙发", "soggiorno", "salotto", "divano",
                    "リビング", "居間"),
    "table": ("table", "dining table", "tisch", "esstisch", "mesa", "桌子", "餐桌", "桌",
              "tavolo", "テーブル"),
    "dock": ("dock", "charging dock", "charging station", "charger", "charging base",
             "home base", "station de charge", "chargeur", "base de recharge", "base",
             "ladestation", "ladegerat", "ladestelle", "estacion de carga", "cargador",
             "base de carga", "充电站", "充电桩", "充电座", "充电器", "base di ricarica",
             "stazione di ricarica", "充電ステーション"),
    "start_area": ("start area", "start", "starting point", "starting position",
                   "start position", "zone de depart", "point de depart", "depart",
                   "startbereich", "startpunkt", "startposition", "zona de inicio",
                   "punto de partida", "inicio", "起点", "出发点", "起始区域", "出発点",
                   "punto di partenza"),
    "bedroom": ("bedroom", "chambre", "schlafzimmer", "dormitorio", "habitacion", "卧室"),
    "bathroom": ("bathroom", "toilet", "salle de bain", "badezimmer", "bano",
                 "浴室", "卫生间"),
    "office": ("office", "bureau", "buro", "arbeitszimmer", "oficina", "despacho",
               "办公室", "书房"),
    "garage": ("garage", "garaje", "车库"),
    "hallway": ("hallway", "corridor", "hall", "couloir", "flur", "pasillo", "走廊"),
    "garden": ("garden", "yard", "jardin", "garten", "花园"),
    "balcony": ("balcony", "balcon", "balkon", "阳台"),
    "stairs": ("stairs", "staircase", "escalier", "treppe", "escalera", "楼梯"),
}

#: Words that join steps. Order matters only for readability; the segmenter sorts by length.
CONNECTIVES: tuple[str, ...] = (
    # en
    "and then", "then", "after that", "afterwards", "afterward", "and after that",
    "and finally", "finally", "and", "once there",
    # fr
    "et puis", "puis", "ensuite", "et ensuite", "apres ca", "apres cela", "apres", "enfin",
    "et enfin", "et",
    # de
    "und dann", "dann", "danach", "anschliessend", "und danach", "schliesslich", "zuletzt",
    "und",
    # es
    "y luego", "luego", "despues", "y despues", "despues de eso", "y finalmente",
    "finalmente", "por ultimo", "y",
    # zh
    "然后", "之后", "接着", "最后", "并且", "和",
)

#: Openers of a first step ("first X, then Y"): removed, they carry no skill.
FIRST_MARKERS: tuple[str, ...] = ("first", "first of all", "d'abord", "tout d'abord",
                                  "zuerst", "erst", "zunachst", "primero", "先", "首先")

#: A clause made only of a bare motion verb and politeness ("could you go", "va", "geh") is
#: the first half of "go and wait by the door", "geh und hol": it is joined to the next clause.
BARE_GO_VERBS: tuple[str, ...] = ("go", "come", "move", "head", "walk", "drive", "run", "va",
                                  "vas", "allez", "viens", "venez", "geh", "komm", "fahr",
                                  "lauf", "ve", "ven", "anda", "vaya", "去", "来")
POLITENESS: tuple[str, ...] = ("please", "could", "can", "would", "will", "you", "u", "now",
                               "just", "quickly", "ok", "okay", "hey", "robot", "peux-tu",
                               "pourrais-tu", "stp", "bitte", "kannst", "du", "puedes", "por",
                               "favor", "请", "你", "快")

#: Articles, prepositions and pronouns (folded): never read as a misspelt place, and what
#: may stand between a motion verb and the place it names ("zum", "a la", "vers le").
FUNCTION_WORDS: tuple[str, ...] = (
    "the", "a", "an", "to", "into", "onto", "at", "in", "on", "of", "by", "for", "from",
    "with", "my", "your", "our", "his", "her", "their", "me", "us", "this", "that", "here",
    "zum", "zur", "zu", "ins", "im", "in", "den", "dem", "der", "die", "das", "des", "ein",
    "eine", "einen", "mich", "uns", "nach", "bei", "am", "an",
    "a", "al", "la", "el", "las", "los", "en", "de", "del", "hacia", "mi", "tu",
    "le", "les", "l'", "au", "aux", "du", "vers", "ma", "mon", "ta", "ton",
)

#: Verbs that open a `say` clause; what follows a comma and "dass"/"que" after them is the text.
SAY_VERBS: tuple[str, ...] = ("say", "tell", "announce", "dis", "dites", "annonce", "previens",
                              "sag", "sage", "sagen", "teile", "di", "dile", "diles", "diga",
                              "anuncia", "avisa")

#: Words that reverse the order of steps ("before X, Y"): the vertical tier does not try.
REORDER_MARKERS: tuple[str, ...] = ("before", "avant de", "avant", "bevor", "vorher",
                                    "antes de", "antes", "之前", "以前")

#: Words that describe a place instead of naming it ("where the food is", "somewhere quiet"):
#: a navigation request without a known place but with one of these is left to the LLM; without
#: one, it names a place this world does not have and is refused.
DESCRIPTION_MARKERS: tuple[str, ...] = (
    "where", "somewhere", "anywhere", "place", "spot", "room with", "ou", "endroit",
    "quelque part", "wo", "irgendwo", "ort", "stelle", "donde", "algun lugar", "lugar", "sitio",
    "哪", "地方", "那里", "那儿", "那边", "there", "la-bas", "dort", "dorthin", "alli", "ahi",
)

#: Negation markers, matched as whole words in Latin scripts and as substrings in CJK.
NEGATIONS_WORDS: tuple[str, ...] = (
    "don't", "dont", "do not", "never", "not", "no", "nowhere", "doesn't", "mustn't",
    "shouldn't", "ne", "n'", "pas", "jamais", "nulle part", "nicht", "kein", "keine",
    "nirgendwo", "nirgendwohin", "nirgends", "niemals", "nunca", "ningun", "ninguna",
)
NEGATIONS_CJK: tuple[str, ...] = ("不要", "别", "不", "勿", "没", "禁止")

#: Number words -> value (folded). Compounds ("twenty five", "vingt-cinq", "funfundzwanzig",
#: "veinticinco", "二十五") are built by numbers.parse_number from these parts.
NUMBER_WORDS: Mapping[str, float] = {
    # en
    "zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "half": 0.5, "couple": 2, "few": 3,
    # fr
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50,
    "soixante": 60, "demi": 0.5, "demie": 0.5,
    # de
    "ein": 1, "eine": 1, "einen": 1, "eins": 1, "zwei": 2, "drei": 3, "vier": 4,
    "funf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11,
    "zwolf": 12, "dreizehn": 13, "vierzehn": 14, "funfzehn": 15, "sechzehn": 16,
    "siebzehn": 17, "achtzehn": 18, "neunzehn": 19, "zwanzig": 20, "dreissig": 30,
    "vierzig": 40, "funfzig": 50, "sechzig": 60, "halbe": 0.5,
    # es
    "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14,
    "quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18,
    "diecinueve": 19, "veinte": 20, "treinta": 30, "cuarenta": 40,
    "cincuenta": 50, "sesenta": 60, "medio": 0.5, "media": 0.5,
}
CJK_DIGITS: Mapping[str, int] = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
                                 "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

#: Time units (folded) -> seconds per unit.
TIME_UNITS: Mapping[str, float] = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "seconde": 1, "secondes": 1,
    "sekunde": 1, "sekunden": 1, "segundo": 1, "segundos": 1, "秒": 1, "秒钟": 1,
    "min": 60, "mins": 60, "minute": 60, "minutes": 60, "minuten": 60, "minuto": 60,
    "minutos": 60, "分钟": 60, "分": 60,
}
