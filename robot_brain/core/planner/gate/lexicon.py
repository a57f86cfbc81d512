"""The plan gate's hand-kept word lists: what takes back, forbids or warns, per language.

The gate is a set of rules, not a model: a reviewer can read every word that makes the robot
hold. Languages: those the planner claims (en, fr, de, es, zh; it and ja, whose places the
vertical tier reads and whose verbs go to the LLM). Everything is written in the folded form
vertical.text.fold() produces (lower case, no accents on Latin letters, ß -> ss).

Phrase syntax (compiled by gate.patterns):
- Latin phrases match whole words; in the text the words may be separated by spaces or by
  punctuation ("wait, no" matches "wait no");
- a word ending in `*` matches any continuation ("mop*": mop, mopped, mopping);
- `…` stands for up to three words ("leave … alone");
- a phrase ending in `'` is an elision ("n'": n'avance, n'y);
- CJK and kana phrases match anywhere (no spaces in those scripts); `…` is up to 8 characters;
- `re:` starts a raw regular expression on the folded text.

None of these lists was generated: they were written for the gate, apart from the intent
model's corpus (vertical/corpus.py) and its lexicon (vertical/lexicon.py).
"""

from __future__ import annotations

import enum
from typing import Mapping


class Cue(str, enum.Enum):
    """What a phrase does to motion; the gate reports these names."""

    NEGATION = "negation"          # "don't", "ne … pas", "nicht", "no", "别"
    PROHIBITION = "prohibition"    # "off limits", "keep away", "verboten", "禁止"
    CORRECTION = "correction"      # "actually no", "forget it", "算了"
    HAZARD = "hazard"              # "wet floor", "someone is mopping", "小心"
    CONDITIONAL = "conditional"    # "if the door is open", "falls", "如果"
    QUESTION = "question"          # "is the kitchen clean?" (not "can you go …?")
    STAY = "stay"                  # "stay", "stand still", "halt", "待着"
    DEFERRAL = "deferral"          # "not yet", "later", "noch nicht", "还不"
    STATEMENT = "statement"        # "the kitchen tiles are still drying": names, not asks


Phrases = Mapping[str, tuple[str, ...]]

#: Harmless expressions removed before any cue is looked for: they contain a cue word but do
#: not take anything back ("no problem", "don't forget to", "if you can", "s'il te plaît").
HARMLESS: Phrases = {
    "en": ("no problem", "no problems", "not a problem", "no rush", "no hurry",
           "don't forget to", "don't forget", "do not forget", "dont forget",
           "don't hesitate to", "don't be shy", "don't be afraid", "no doubt", "not bad",
           "if you can", "if you could", "if possible", "if it's possible",
           "if you don't mind", "if you do not mind", "if you would", "if you please",
           "if that's ok", "if that's okay", "if it's ok", "if it's okay", "if you like",
           "if you want", "if you wish", "when you can", "when you're ready",
           "when you are ready", "whenever you're ready", "whenever you are ready",
           "whenever you can", "when you get a chance", "when you have a moment",
           "when you have a minute", "as soon as you can", "as soon as possible",
           "when you get there", "when you arrive", "once you get there", "once you're there",
           "once there", "don't hurry", "don't rush", "no need to hurry", "no need to rush",
           "don't take too long", "i don't know", "don't stay here", "do not stay here",
           "don't stay", "don't just stand there", "don't keep me waiting", "not too fast",
           "don't go too fast", "thank you", "good morning", "i don't care", "don't care",
           "i don't mind", "doesn't matter", "it doesn't matter", "no matter what",
           "no matter how", "no big deal", "not a big deal", "whatever it takes",
           # a distance or a crowd said not to matter: "the kitchen isn't far, go on"
           "not far", "isn't far", "not that far", "not too far", "not busy", "isn't busy",
           "not occupied", "isn't occupied"),
    "fr": ("pas de probleme", "pas de souci", "pas de soucis", "sans probleme", "sans souci",
           "n'oublie pas de", "n'oublie pas d'", "n'oubliez pas de", "n'oublie pas",
           "n'oubliez pas", "n'hesite pas a", "n'hesitez pas a", "pas de panique", "pas mal",
           "s'il te plait",
           "s'il vous plait", "si tu peux", "si vous pouvez", "si possible",
           "si c'est possible", "si ca ne te derange pas", "si ca ne vous derange pas",
           "si tu veux", "si tu veux bien", "si vous voulez", "quand tu peux", "quand tu veux",
           "quand tu es pret", "quand tu seras pret", "des que possible", "des que tu peux",
           "une fois la-bas", "une fois arrive", "ne reste pas la", "ne reste pas ici",
           "ne reste pas", "je ne sais pas", "pas trop vite", "ne te presse pas",
           "sans te presser", "peu importe", "ca ne fait rien", "je m'en fiche", "pas loin",
           "pas tres loin", "pas si loin"),
    "de": ("kein problem", "keine eile", "kein stress",
           "nicht schlecht", "vergiss nicht", "nicht vergessen", "wenn du kannst",
           "wenn moglich", "wenn es geht", "falls moglich", "wenn du magst", "wenn du willst",
           "wenn es dir nichts ausmacht", "wenn du so weit bist", "wenn du fertig bist",
           "sobald du kannst", "sobald wie moglich", "wenn du da bist", "wenn du dort bist",
           "bleib nicht hier", "bleib nicht stehen", "ich weiss nicht",
           "keine ursache", "ohne eile", "trau dich",
           "guten morgen", "ist mir egal", "macht nichts", "nicht schlimm", "nicht weit",
           "nicht so weit"),
    "es": ("no hay problema", "no hay de que", "sin problema", "ningun problema",
           "no pasa nada", "no olvides", "no te olvides",
           "no te olvides de", "no dudes en", "no hay prisa", "sin prisa",
           "si puedes", "si es posible", "si no te importa", "si no le importa", "si quieres",
           "si te parece", "cuando puedas", "cuando quieras", "cuando estes listo",
           "cuando estes lista", "cuanto antes", "una vez alli", "cuando llegues",
           "no te quedes ahi", "no te quedes aqui", "no te quedes", "por favor",
           "no esta mal", "no tengas miedo", "no tan rapido", "sin correr", "no esta lejos",
           "no queda lejos"),
    "zh": ("没问题", "没关系", "没事", "不客气", "不用谢", "不好意思", "对不起", "别忘了",
           "不要忘了", "别忘记", "不要忘记", "别客气",
           "不着急", "不急", "别着急", "不错", "差不多", "如果可以的话", "如果可以", "可以的话",
           "方便的话", "有空的话", "别待在这", "不要待在这", "不知道", "不仅",
           "不但", "不断", "不少", "不同", "不久", "特别", "别人", "区别", "分别", "告别",
           "别的", "别墅", "没错", "无所谓", "不管", "到了以后", "到了之后", "到那里以后",
           "不过", "加油", "不远"),
    "it": ("nessun problema", "non c'e problema", "non dimenticare di", "non dimenticare",
           "per favore", "se puoi", "se possibile",
           "quando puoi", "non male", "non importa", "non fa niente", "non avere paura",
           "non e lontano", "non e lontana"),
    "ja": ("大丈夫", "問題ない", "問題ありません", "忘れないで", "遠慮しないで",
           "できれば", "よければ", "お願い", "着いたら", "遠くない"),
}

#: Reassurance that sets something aside ("don't worry about the cables", "never mind the
#: mess" is read the same way, cues.find_cues): read as "ignore". What it is about is neither
#: a warning nor a request ("don't worry about the cables, go to the living room"); a place it
#: names is not to be gone to ("don't worry about the kitchen, I'll do it"). Alone ("don't
#: worry, go to the door") it sets nothing aside.
DISMISS: Phrases = {
    "en": ("don't worry about", "dont worry about", "do not worry about", "don't worry",
           "dont worry", "do not worry", "no worries about", "no worries", "no worry",
           "not to worry about", "not to worry", "no need to worry about", "no need to worry",
           "don't mind", "dont mind", "do not mind", "pay no attention to",
           "don't pay attention to", "don't bother about", "don't bother with",
           "don't fuss about", "don't stress about", "don't stress", "ignore", "ignoring"),
    "fr": ("ne t'inquiete pas pour", "ne t'inquiete pas de", "ne t'inquiete pas",
           "ne vous inquietez pas pour", "ne vous inquietez pas", "t'inquiete pas pour",
           "t'inquiete pas", "t'inquiete", "ne t'en fais pas pour", "ne t'en fais pas",
           "ne fais pas attention a", "ne fais pas attention au", "ne fais pas attention aux",
           "ignore"),
    "de": ("keine sorge wegen", "keine sorge um", "keine sorge", "keine sorgen",
           "mach dir keine sorgen wegen", "mach dir keine sorgen um", "mach dir keine sorgen",
           "kummer dich nicht um", "achte nicht auf", "ignorier", "ignoriere"),
    "es": ("no te preocupes por", "no te preocupes de", "no te preocupes",
           "no se preocupe por", "no se preocupe", "no hagas caso a", "no hagas caso de",
           "no hagas caso", "ignora"),
    "it": ("non ti preoccupare per", "non ti preoccupare di", "non ti preoccupare",
           "non preoccuparti per", "non preoccuparti di", "non preoccuparti dei",
           "non preoccuparti delle", "non preoccuparti", "non badare a", "ignora"),
    "zh": ("别担心", "不用担心", "不要担心", "别管", "不用管", "不要管", "别理", "不用理",
           "不要理"),
    "ja": ("心配しないで", "気にしないで", "気にせず", "無視して"),
}

#: Retractions whose object, when it is neither a place, "it"/"that" nor the errand itself,
#: is set aside like DISMISS: "go to the kitchen, never mind the mess" keeps the kitchen,
#: "never mind the kitchen" and "forget it" take it back.
RETRACT_DISMISSING: frozenset[str] = frozenset((
    "never mind", "nevermind", "forget", "forget about", "oublie", "oubliez",
    "laisse tomber", "vergiss", "vergesst", "olvida", "olvidate", "dimentica",
    "lascia perdere", "lascia stare",
))

#: What a retraction's object names when it takes back the errand itself ("cancel the
#: trip", "forget what I said"): these keep it a retraction.
ERRAND_WORDS: frozenset[str] = frozenset((
    "it", "that", "this", "trip", "request", "order", "orders", "plan", "plans", "idea",
    "instruction", "instructions", "command", "mission", "errand", "task", "job", "walk",
    "journey", "route", "run", "visit", "move", "everything", "all", "what", "said", "asked",
    "last", "previous", "earlier", "going", "tout", "ca", "cela", "trajet", "demande", "ordre",
    "course", "idee", "das", "es", "alles", "auftrag", "befehl", "fahrt", "weg", "idee",
    "eso", "todo", "viaje", "pedido", "orden", "idea", "lo", "la", "tutto", "viaggio",
    "richiesta", "ordine", "quello", "cio",
))

#: What may follow a dismissal that sets the condition before it aside: "if it's messy, don't
#: worry (about it)", "si c'est sale, ne t'inquiète pas pour ça".
DISMISSED_CONDITION: frozenset[str] = frozenset((
    "about", "it", "that", "this", "them", "too", "much", "just", "pour", "ca", "cela", "de",
    "wegen", "um", "das", "es", "darum", "deswegen", "por", "eso", "lo", "per", "di", "questo",
    "cio", "ne", "with",
))

#: Suggestions in the negative that ask for motion: read as "could you". Only inverted
#: forms: "can't you go …?" asks, "you can't go …" forbids.
WHY_NOT: tuple[str, ...] = ("can't you", "cant you", "couldn't you", "couldnt you",
                            "wouldn't you", "wouldnt you", "shouldn't you", "shouldnt you",
                            "isn't it time you", "isnt it time you", "isn't it time to",
                            "kannst du nicht", "konntest du nicht", "solltest du nicht",
                            "why don't you", "why dont you", "why not", "how about you",
                            "pourquoi ne vas-tu pas", "pourquoi tu ne vas pas", "pourquoi pas",
                            "warum gehst du nicht", "warum fahrst du nicht", "warum nicht",
                            "por que no", "perche non", "perche no", "为什么不")

#: Idioms that name a place as a destination although they contain "stop": a visit.
VISIT: tuple[str, ...] = ("stop by", "stop at", "stop off at", "stop in at", "swing by",
                          "drop by", "pop by", "pop over to", "pass by")

NEGATION: Phrases = {
    "en": ("not", "no", "never", "don't", "dont", "do not", "doesn't", "didn't", "did not",
           "mustn't", "must not", "shouldn't", "should not", "won't", "will not", "can't",
           "cannot", "isn't", "aren't", "ain't", "wasn't", "nope", "nah", "nowhere",
           "wouldn't", "would not", "couldn't", "could not", "needn't", "need not", "shan't",
           "weren't", "haven't", "hasn't", "hadn't", "wouldnt", "couldnt", "shouldnt",
           "didnt", "doesnt", "mustnt", "isnt", "arent", "wasnt",
           "neither", "nor", "none", "nothing", "nobody", "no one", "no-one", "noone",
           "no longer", "no more", "no need", "no way",
           "under no circumstances", "by no means", "instead of", "rather than"),
    "fr": ("ne", "n'", "pas", "jamais", "nulle part", "aucun", "aucune", "non", "ni",
           "inutile", "pas besoin", "pas question", "hors de question", "rien", "personne ne",
           "personne n'", "au lieu de",
           "plutot que"),
    "de": ("nicht", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie",
           "niemals", "nirgends", "nirgendwo", "nirgendwohin", "nein", "nee", "keinesfalls",
           "niemand",
           "auf keinen fall", "weder", "nix", "nichts", "unnotig", "anstatt", "statt"),
    "es": ("no", "nunca", "jamas", "ni", "ningun", "ninguna", "ninguno", "ninguna parte",
           "nadie",
           "tampoco", "nada de", "en absoluto", "de ninguna manera", "ni hablar", "en vez de",
           "en lugar de"),
    "it": ("non", "mai", "nessun", "nessuna", "nessuno", "niente", "neanche", "nemmeno",
           "neppure", "per niente", "invece di"),
    "zh": ("不", "别", "没", "勿", "莫", "甭", "不用", "不必", "无需", "没必要", "休想", "而不是"),
    "ja": ("ないで", "ない", "ません", "だめ", "ダメ", "駄目", "いけない", "いけません",
           "なくていい", "なくても", "なくて大丈夫",
           "re:[くぐすつぬぶむるう]な(?=[。！!、,\\s]|$)"),
}

#: Verbs of motion (and "anywhere", "a step"): a negation with one of them forbids moving
#: at all; a negation without one ("don't touch anything") only makes the gate careful.
MOTION: Phrases = {
    "en": ("go", "goes", "going", "gone", "went", "move*", "moving", "walk*", "head*",
           "drive*", "driving", "come", "coming", "came", "leave", "leaving", "budge*",
           "step*", "run", "running", "roll*", "wander*", "enter*", "approach*", "travel*",
           "proceed*", "return*", "navigate*", "set foot", "anywhere", "an inch", "stir",
           "follow*", "wheel*", "get", "getting", "trundle*", "march*", "dock*", "charge"),
    "fr": ("va", "vas", "aller", "allez", "ailles", "alliez", "bouge*", "avance*", "deplace*",
           "pars", "partir", "part", "entre", "entrer", "entrez", "approche*", "viens", "venir",
           "venez", "retourne*", "rends", "dirige*", "marche*", "roule*", "quitte*", "sors",
           "sortir", "un pas", "file", "fonce", "nulle part", "y va", "vas-y"),
    "de": ("geh", "gehe", "gehen", "gehst", "ging*", "fahr", "fahre", "fahren", "fahrst",
           "lauf*", "beweg*", "komm", "komme", "kommen", "kommst", "ruhr*", "betret*",
           "betritt", "verlass*", "rein", "hinein", "hin", "schritt", "weiter", "nirgendwohin"),
    "es": ("ve", "vayas", "vaya", "vayan", "ir", "vete", "vamos", "muevas", "mueva",
           "mover*", "muevete", "camin*", "ven", "vengas", "venir", "entr*", "sal", "salgas",
           "salir", "acerq*", "acerca*", "avanc*", "avanza*", "anda*", "andes", "paso",
           "pasos", "dirij*", "dirig*", "regres*", "vuelv*", "pases", "pasar", "ninguna parte"),
    "it": ("andare", "vai", "vada", "andarci", "muover*", "muovi", "entrare", "entra",
           "venire", "vieni", "uscire", "esci", "avvicin*", "passo", "spostar*", "sposta*",
           "camminare", "cammina"),
    "zh": ("动", "去", "走", "来", "进", "过去", "移动", "离开", "靠近", "出", "往", "跑", "挪",
           "过来"),
    "ja": ("動", "行", "来", "入", "進", "出", "近づ", "向か", "移動", "近寄"),
}

#: Forbidding a place or motion: with a place in reach it forbids that place, alone it
#: forbids moving ("keep out!").
PROHIBITION: Phrases = {
    "en": ("off limits", "off-limits", "out of bounds", "no-go", "no go", "keep* away",
           "kept away", "stay* away", "stayed away", "keep* out", "kept out", "stay* out",
           "stayed out", "stay* clear", "keep* clear", "kept clear", "steer* clear",
           "forbidden", "forbid*", "not allowed", "no entry", "no access", "do not enter",
           "don't enter",
           "prohibited", "banned", "restricted", "refrain", "wide berth", "leave … alone",
           "leave … be", "keep off", "stay off", "back off", "keep your distance",
           "not supposed to", "not permitted", "give … space", "give … room",
           "hands off", "don't you dare", "taboo", "out of the question", "not welcome",
           "keep back", "stay back", "not to go", "not to enter", "no trespassing",
           "private", "keep … out", "stay … out", "out of my way", "let … be", "let … alone",
           "back away", "step away", "get away from", "move away from", "get out of",
           "step back", "offlimits", "nogo", "keep … off the", "keep … off my", "keep … away from",
           "prohibit*", "ban", "bans", "banning",
           # a wish against it, a threat: "I'd hate for you to go", "… or else"
           "hate for you to", "hate it if you", "hate it when you", "or else", "i'm warning you",
           "i warn you",
           # signs typed as symbols: "🚫 kitchen", "kitchen ❌", "⛔ door"
           "re:[\U0001F6AB\u26D4\u274C\u274E\u2716\U0001F645\U0001F6D1\u270B"
           "\U0001F44E\U0001F6B7]"),
    "fr": ("interdi*", "defend*", "defense d'entrer", "gare a toi", "je te previens", "defense de",
           "hors limites",
           "hors de question", "eloigne*", "a l'ecart", "n'entre pas", "acces interdit",
           "reste loin", "restez loin", "reste en dehors", "reste hors", "tabou",
           "pas le droit", "laisse … tranquille", "laisse … en paix", "recule",
           "ne t'approche pas", "garde tes distances", "prive"),
    "de": ("tabu", "verboten", "untersagt", "sperrgebiet", "fern", "fernhalten", "bleib weg",
           "bleib … weg", "weg von", "bleib … raus", "bleib draussen", "draussen bleiben",
           "raus aus", "nicht betreten", "betreten verboten", "zutritt verboten",
           "kein zutritt", "lass … in ruhe", "darfst nicht", "darfst … nicht",
           "nicht erlaubt", "nicht gestattet", "abstand", "privat", "sperr*", "geh weg",
           "weg da", "weg von", "verbiet*", "verbot", "wehe", "ich warne dich"),
    "es": ("prohib*", "vedad*", "ay de ti", "te lo advierto", "fuera de los limites", "alejate",
           "alejese", "alejarte",
           "alejado", "alejada", "mantente alejado", "mantente alejada", "mantente lejos",
           "mantente fuera", "quedate fuera", "lejos de", "no entres", "no pases",
           "no se puede", "no puedes", "prohibido el paso", "no esta permitido",
           "no tienes permiso", "ni se te ocurra", "deja … en paz", "no te acerques",
           "privado", "apartate", "retirate", "sal de"),
    "it": ("vietat*", "vieto", "proib*", "guai", "ti avverto", "stai lontano", "stai lontana",
           "stai alla larga",
           "alla larga", "lontano da", "lontana da", "non entrare", "vietato l'accesso",
           "non puoi", "non avvicinarti", "privato", "allontanati"),
    "zh": ("禁止", "不准", "不许", "禁区", "不能去", "不可以去", "不可以", "别靠近", "不要靠近",
           "远离", "离…远", "避开", "躲开", "不要进", "别进", "不得", "严禁", "免进", "别碰",
           "不能进", "不能", "闲人", "走开", "让开", "你敢", "我警告你"),
    "ja": ("立入禁止", "立ち入り禁止", "禁止", "近づかないで", "近づくな", "近寄らないで",
           "入らないで", "入るな", "行っちゃだめ", "ちゃだめ", "ちゃいけない", "離れて",
           "避けて", "承知しない", "許さない"),
}

#: Prohibitions that only ever scope a place named with them ("avoid the kitchen"); alone
#: ("go to the kitchen, avoiding the chairs") they forbid nothing.
PROHIBITION_WEAK: Phrases = {
    "en": ("avoid*", "closed", "skip", "blocked off", "shut", "locked", "give … a miss",
           "pass on",
           # exceptions: "anywhere but the kitchen", "every room except the door"
           "except", "except for", "excepting", "excluding", "with the exception of",
           "anything but", "anywhere but", "everywhere but", "everything but", "any room but",
           "apart from", "other than", "save for"),
    "fr": ("evite*", "ferme", "fermee", "saute", "verrouille*", "ferme a cle", "fermee a cle",
           "sauf", "excepte", "hormis", "a part", "a l'exception de", "tout sauf",
           "partout sauf"),
    "de": ("ausser", "bis auf", "ausgenommen", "mit ausnahme",
           "meide*", "vermeide*", "geschlossen", "gesperrt", "abgeschlossen", "verschlossen",
           "re:(?<![\\w'-])(?:ist|bleibt)(?:\\s+[^\\W\\d_]+){0,2}\\s+zu(?=\\s*[.!,;]|\\s*$)"),
    "es": ("evita*", "cerrad*", "salta", "con llave", "menos", "excepto", "salvo",
           "a excepcion de", "todo menos"),
    "it": ("evita*", "chius*", "salta", "a chiave", "tranne", "eccetto", "salvo", "fuorche",
           "ad eccezione di", "tutto tranne"),
    "zh": ("关着", "关闭", "锁着", "锁了", "锁上", "除了", "除…以外", "除…之外"),
    "ja": ("閉ま", "鍵がかか", "以外", "を除いて", "除いて"),
}

#: Self-corrections that take something back; what they name is taken back too ("never
#: mind the window"), and so is everything said before them.
RETRACT: Phrases = {
    "en": ("forget it", "forget that", "forget about it", "forget about", "forget",
           "never mind", "nevermind", "cancel*", "scratch that", "strike that", "belay*",
           "disregard*", "ignore that", "ignore what i said", "abort*", "undo that",
           "i take that back", "take that back", "call it off", "call off", "drop it",
           "skip it", "nvm", "jk", "just kidding", "only kidding", "i'm kidding", "i was kidding"),
    "fr": ("laisse tomber", "laissez tomber", "oublie", "oubliez", "oublie ca",
           "annule*", "je retire", "on annule", "tant pis", "je rigole", "je plaisante",
           "c'est une blague"),
    "de": ("vergiss es", "vergiss das", "vergiss", "vergesst", "abbrechen", "brich ab",
           "lass es", "lass das", "lass mal", "lass gut sein", "streich das", "kommando zuruck",
           "abgesagt", "storniert", "schon gut", "war nur spass", "nur spass", "nur ein scherz",
           "kleiner scherz"),
    "es": ("olvidalo", "olvida eso", "olvidate", "olvida", "dejalo", "deja eso", "cancela*",
           "anula*", "no importa", "solo era broma", "bromeaba"),
    "it": ("lascia perdere", "lascia stare", "annulla", "dimentica*", "lasciamo perdere",
           "era uno scherzo", "stavo scherzando"),
    "zh": ("算了", "取消", "不用了", "不去了", "别去了", "作罢", "当我没说", "忘了吧",
           "开个玩笑", "开玩笑的"),
    "ja": ("やめて", "やめた", "やめよう", "やめ", "取り消し", "キャンセル", "忘れて", "冗談だよ",
           "冗談です"),
}

#: Discourse markers of a self-correction: what came before is taken back, what follows in
#: the same breath is the new request ("actually, go to the table").
DISCOURSE: Phrases = {
    "en": ("actually", "no wait", "wait no", "wait a second no", "hold on no", "hang on no",
           "on second thought", "on second thoughts", "second thoughts",
           "changed my mind", "change my mind", "change of plan", "change of plans",
           "oops", "my mistake", "my bad", "sorry no", "no no", "rather not", "better not",
           "not anymore", "wrong way", "wrong room", "that's wrong", "whoa", "hmm no", "uh no",
           "turn around", "turn back", "hold up"),
    "fr": ("en fait", "non attends", "attends non", "tout compte fait", "finalement",
           "je me suis trompe", "change d'avis", "changement de programme", "non non",
           "plus besoin", "ah non", "euh non", "reflexion faite", "a la reflexion",
           "mauvaise idee", "pardon", "demi-tour"),
    "de": ("doch nicht", "eigentlich nicht", "eigentlich", "warte nein", "nein warte",
           "moment mal", "moment nein", "lieber nicht", "besser nicht", "anders uberlegt",
           "nein nein", "nicht mehr", "ach nein", "quatsch", "umkehren", "kehr um"),
    "es": ("en realidad", "mejor no", "espera no", "no espera", "pensandolo bien",
           "cambie de opinion", "cambio de planes", "me equivoque", "ya no", "no no",
           "bueno no", "perdon", "da la vuelta"),
    "it": ("anzi", "ripensandoci", "no aspetta", "aspetta no", "in realta", "non piu",
           "ho cambiato idea", "no no", "meglio di no", "scusa no"),
    "zh": ("不对", "还是不要", "还是别", "还是算了", "其实", "改主意",
           "改变主意", "哦不", "不不", "错了", "搞错了", "说错了", "还是", "回来"),
    "ja": ("やっぱり", "やっぱ", "いや", "いいえ", "違う", "ちがう", "間違え"),
}

#: Corrections that introduce the corrected destination: what follows them is asked for.
REPLACE: Phrases = {
    "en": ("i mean", "or rather", "i meant", "make that"),
    "fr": ("je veux dire", "ou plutot"),
    "de": ("ich meine", "oder besser", "oder lieber", "ich meinte"),
    "es": ("quiero decir", "o mejor", "mejor dicho"),
    "it": ("cioe", "volevo dire", "o meglio"),
    "zh": ("我是说", "我的意思是"),
    "ja": ("じゃなくて", "ではなく"),
}

HAZARD: Phrases = {
    "en": ("wet", "damp", "slippery", "broken", "shattered", "debris", "heads up", "threw up",
           "throw up", "vomit*", "puke*", "poop*", "pee", "peed", "drying", "freshly",
           "just cleaned", "just washed", "still wet", "slick", "mop*", "spill*",
           "spilt", "puddle*", "flood*",
           "leak*", "broken glass", "shards", "glass on the floor", "glass everywhere",
           "fire", "smoke", "smoking", "burning", "on fire", "gas leak", "danger*",
           "hazard*", "unsafe", "careful", "watch out", "beware", "caution", "risky", "risk",
           "construction", "renovat*", "being painted", "wet paint", "fresh paint",
           "painting", "sleeping", "asleep", "napping", "taking a nap", "in a meeting",
           "on a call", "vacuum*", "being cleaned", "cleaning", "scrubb*", "waxed",
           "polished", "icy", "water all over", "water on the floor", "water everywhere",
           "oil", "grease", "toys everywhere", "loose cables", "cables", "wires",
           "ladder", "workers", "repairs", "repairing", "fumes", "bleach", "chemicals", "sick",
           "contagious", "quarantine", "fragile", "sharp", "knives", "hot stove",
           "blocked", "obstructed", "trip", "tripping", "minefield", "dropped", "smash*",
           "knocked over", "tipped over", "fell over", "gas", "burnt", "scorch*",
           "carbon monoxide"),
    "fr": ("mouill*", "humide", "glissant*", "serpill*", "sol lave", "nettoy*", "flaque*",
           "inond*", "fuite", "verre casse", "eclats", "bris de verre", "feu", "fumee",
           "incendie", "brule*", "danger*", "attention", "prudence", "fais gaffe", "gaffe",
           "bloque*", "travaux", "peinture", "peint", "bebe dort", "qui dort", "il dort",
           "elle dort", "dort dans", "dort au", "dort a", "dorment", "sieste",
           "endormi*", "huile", "cire", "verglas", "encombre*", "malade", "renverse*",
           "fait tomber", "gaz"),
    "de": ("nass", "feucht", "rutschig", "glatt", "wischt", "gewischt", "wischen", "putzt",
           "geputzt", "pfutze", "uberschwemm*", "leck", "wasser auf dem boden", "scherben",
           "glasscherben", "zerbrochen*", "feuer", "rauch", "brand", "brennt", "gefahr",
           "gefahrlich", "vorsicht", "achtung", "pass auf", "aufpassen", "blockiert",
           "baustelle", "gestrichen", "streichen", "frische farbe", "schlaft", "schlafen",
           "mittagsschlaf", "krank", "kabel", "umgekippt", "runtergefallen",
           "fallen lassen", "gas", "angebrannt"),
    "es": ("mojad*", "humed*", "resbal*", "freg*", "trape*", "charco*", "inund*", "fuga",
           "vidrio*", "cristales", "roto", "rotos", "rota", "fuego", "humo", "incendio",
           "quema*", "peligr*", "cuidado", "ojo", "bloquead*", "obras", "pintura",
           "pintando", "pintad*", "duerme", "durmiendo", "dormido", "dormida", "siesta",
           "limpiando", "aceite", "encerad*", "enfermo", "enferma", "cables", "se cayo",
           "derramad*", "volcad*", "gas"),
    "it": ("bagnat*", "umid*", "scivolos*", "lavando", "lavato", "pozzanghera", "allagat*",
           "vetri", "vetro rotto", "fuoco", "fumo", "incendio", "pericol*", "attenzione",
           "attento", "attenta", "bloccat*", "lavori", "vernice", "dorme", "dormendo",
           "pisolino", "malato", "rovesciat*", "cavi", "gas"),
    "zh": ("湿", "滑", "拖地", "拖过", "拖了", "积水", "漏水", "有水", "玻璃", "碎", "着火",
           "火", "烟", "危险", "小心", "注意", "当心", "堵", "施工", "装修", "油漆", "刷漆",
           "睡觉", "在睡", "睡着", "午睡", "打扫", "擦地", "漏油", "洒了", "病", "地上…水",
           "全是水", "都是水", "一地水", "地板…湿", "打碎", "摔碎", "打翻", "电线", "煤气", "燃气"),
    "ja": ("濡れ", "ぬれ", "滑", "すべ", "危な", "あぶな", "危険", "気をつけ", "注意",
           "掃除", "工事", "ガラス", "割れ", "火事", "火", "煙", "寝て", "寝てる", "眠",
           "水浸し", "こぼ", "落とし", "倒れ", "ケーブル", "コード", "ガス"),
}

#: Conditions the robot cannot check. A condition needs words after its marker ("sí," =
#: "yes" folds to "si" and is not one).
CONDITIONAL: Phrases = {
    "en": ("if", "unless", "in case", "provided", "providing", "as long as", "only when",
           "only if", "whenever", "when", "once the", "as soon as", "depending on",
           "assuming", "should the", "should there", "should anyone", "should someone",
           "in the event", "after i", "once i", "by the time", "the moment", "the minute",
           # "after the rain stops": an event, not a place or a step of the robot's
           # ("after the kitchen", "after that", "after saying hi")
           "re:(?<![\\w'-])after\\s+(?:the|my|our|his|her|their|everyone|everybody|"
           "someone|somebody|they|he|she|we|dad|mom|mum)\\b(?!\\s+<)"),
    "fr": ("si", "s'il", "s'ils", "au cas ou", "a condition que", "a condition de",
           "sauf si", "quand", "lorsque", "lorsqu'", "des que", "pourvu que", "selon que",
           "une fois que", "apres que", "apres qu'", "au moment ou", "d'ici a ce que"),
    "de": ("wenn", "falls", "sofern", "ausser wenn", "sobald", "vorausgesetzt", "nur wenn",
           "im fall", "fur den fall", "je nachdem", "erst wenn", "nachdem"),
    "es": ("si", "en caso de", "en caso de que", "a menos que", "salvo que", "siempre que",
           "siempre y cuando", "cuando", "solo si", "con tal de que", "en cuanto",
           "despues de que", "luego de que", "para cuando", "en el momento en que"),
    "it": ("re:(?<![\\w'])se (?=(?:il|la|lo|le|gli|i|c'e|ci|qualcuno|non|tu|hai|sei|e|"
           "la porta|nessuno|vai|vieni|entri|esci|provi|osi|ti)\\b)", "qualora", "nel caso",
           "a meno che", "purche", "quando",
           "appena", "solo se", "dopo che", "una volta che",
           "nel momento in cui"),
    "zh": ("如果", "要是", "假如", "假使", "万一", "除非", "的话", "只要", "一旦", "的时候",
           "时候", "等…再", "等…以后", "等…之后", "完再", "完以后", "完之后", "了以后再",
           "了之后再"),
    "ja": ("もし", "なら", "たら", "れば", "場合", "とき", "時は", "終わってから", "止んでから",
           "やんでから", "済んでから", "帰ってから", "乾いてから", "起きてから", "来てから"),
}

#: Not now: a motion put off to later is not a motion now.
DEFERRAL: Phrases = {
    "en": ("not yet", "not now", "later", "later on", "in a bit", "in a while", "tomorrow",
           "tonight", "not today", "some other time", "another time", "until further notice",
           "can wait", "hold off", "not until", "wait until", "wait till", "not the right time",
           "not a good time", "bad time", "not a good idea", "bad idea", "terrible idea",
           "not a great idea", "unwise", "not wise", "after dinner", "after lunch",
           "after breakfast", "after supper", "after work", "after school", "this afternoon",
           "this evening", "in the morning", "in the evening", "next week", "at some point",
           "sometime"),
    "fr": ("pas encore", "pas maintenant", "plus tard", "demain", "ce soir",
           "pas tout de suite", "en attendant", "peut attendre", "attends que", "pas le moment",
           "pas le bon moment", "apres le diner", "apres diner", "apres le dejeuner",
           "apres le repas", "apres manger", "cet apres-midi", "tout a l'heure"),
    "de": ("noch nicht", "nicht jetzt", "spater", "morgen", "heute abend", "nachher",
           "erst mal nicht", "kann warten", "im moment nicht", "warte bis",
           "nicht der richtige moment", "keine gute idee", "schlechte idee", "nach dem essen",
           "nach dem abendessen", "nach dem mittagessen", "nach dem fruhstuck",
           "heute nachmittag", "irgendwann"),
    "es": ("todavia no", "aun no", "ahora no", "mas tarde", "manana", "esta noche",
           "puede esperar", "espera a que", "hasta que", "no es el momento",
           "no es buen momento", "no es buena idea", "mala idea", "despues de cenar",
           "despues de comer",
           "despues de la cena", "despues del almuerzo", "despues de desayunar", "esta tarde",
           "en un rato"),
    "it": ("non ancora", "non adesso", "non ora", "piu tardi", "domani", "stasera",
           "finche non", "non e il momento", "cattiva idea", "pessima idea", "dopo cena",
           "dopo pranzo", "dopo colazione",
           "dopo mangiato", "oggi pomeriggio", "fra poco", "tra poco"),
    "zh": ("还不", "先别", "先不要", "暂时别", "晚点", "稍后", "明天", "一会儿再", "等会儿再",
           "现在不", "以后再", "回头再", "今晚", "待会再", "待会儿再", "不是时候", "不是好主意",
           "饭后", "吃完饭", "下午再", "晚上再"),
    "ja": ("まだ", "後で", "あとで", "明日", "今は", "今じゃない", "夕食の後", "食事の後",
           "ご飯の後", "午後に", "夜に",
           # "Xの後で": after X, unless X is a place ("キッチンの後で": a sequence)
           "re:(?<!>)の(?:後|あと)で"),
}

#: "Wait before going to the door", "hold on before you go": the motion is put off until
#: the user says so (a wait with a duration, "wait 5 s before going", is a step instead: the
#: gap does not cross a duration). Matched across a comma ("wait, before you go …").
WAIT_BEFORE: Phrases = {
    "en": ("wait before", "wait … before", "hold on before", "hold on … before",
           "hang on before", "hang on … before", "pause before", "hold off before"),
    "fr": ("attends avant", "attends … avant", "attendez avant", "attendez … avant"),
    "de": ("warte bevor", "warte … bevor", "wartet bevor", "warte ehe"),
    "es": ("espera antes", "espera … antes", "esperate antes"),
    "it": ("aspetta prima", "aspetta … prima", "aspettate prima"),
    "zh": ("等一下再", "等等再", "先等等", "等一等再"),
    "ja": ("待ってから", "待って…から行"),
}

#: "Stop worrying", "arrête de râler", "hör auf zu jammern": a stop whose object is an
#: activity. With a verb of motion ("stop walking toward the kitchen") it stays a stay;
#: with another verb it stops nothing the robot does on its way.
CESSATIVES: frozenset[str] = frozenset((
    "stop", "quit", "quitting", "cease", "arrete", "arretes", "arretez", "cesse", "cessez",
    "hor auf", "hort auf", "deja de", "dejad de", "para de", "smettila", "smetti", "smettete",
))
#: What links a cessative to its verb ("arrête de", "hör auf zu", "smettila di").
CESSATIVE_LINKS: frozenset[str] = frozenset(("de", "d'", "zu", "mit", "di", "con"))

#: "…, go there anyway": a condition before it does not bind the motion.
CONCESSIVE: Phrases = {
    "en": ("anyway", "anyways", "regardless", "either way", "all the same", "in any case"),
    "fr": ("quand meme", "de toute facon", "de toute maniere", "malgre tout"),
    "de": ("trotzdem", "sowieso", "so oder so", "egal"),
    "es": ("de todos modos", "de todas formas", "de todas maneras", "igualmente"),
    "it": ("comunque", "in ogni caso", "lo stesso"),
    "zh": ("无论如何", "反正", "不管怎样"),
    "ja": ("とにかく", "いずれにしても"),
}

#: Staying where it is. With a duration it is a wait ("stay here 10 s"); after "then" or
#: with "there" after a destination it is a step ("go to the kitchen and stay there").
STAY: Phrases = {
    "en": ("stay", "stay put", "remain", "stand still", "hold still", "keep still",
           "be still", "stay still", "hold your position", "hold position", "hold it",
           "freeze", "stop", "stop moving", "sit tight", "stand down", "stand fast",
           "stand your ground", "as you were", "park it", "park yourself", "wait here",
           "wait right here", "wait where you are", "that's enough", "that is enough",
           "enough walking", "enough moving", "enough for today", "had enough", "cut it out",
           "knock it off", "quit", "quitting", "cease*", "hold your horses", "that will do",
           "that'll do", "don't move", "stay on your spot", "stay in place", "hang tight",
           "keep your place", "whoa there", "hold fire", "chill", "where you are",
           "take a break", "take five", "have a rest", "pause", "rest here", "rest there"),
    "fr": ("reste", "restez", "rester", "restes", "immobile", "immobilise*", "arrete*",
           "halte", "stop", "attends ici", "tiens-toi tranquille", "tranquille", "sur place",
           "cesse", "cessez", "fais une pause", "repose-toi",
           "ca suffit", "pas bouger", "la ou tu es"),
    "de": ("bleib", "bleibe", "bleiben", "bleibst", "stehen bleiben", "steh still",
           "stillstehen", "stillhalten", "anhalten", "halt an", "stopp", "stop", "hor auf",
           "aufhoren", "warte hier", "es reicht", "genug", "wo du bist", "mach pause",
           "ruh dich aus"),
    "es": ("quedate", "quedese", "quedarte", "quedas", "te quedas", "quieto", "quieta",
           "quietecito", "quietecita", "detente", "detengase", "permanece", "permanezca",
           "espera aqui", "deja de", "para de", "parale", "basta", "frena", "stop", "ya basta",
           "donde estas", "descansa", "tomate un descanso", "haz una pausa"),
    "it": ("resta", "rimani", "restare", "rimanere", "fermo", "ferma", "fermati",
           "fermatevi", "stai fermo", "stai ferma", "basta", "aspetta qui", "stop", "dove sei",
           "smettila", "smetti", "smettete", "riposati", "fai una pausa"),
    "zh": ("待着", "呆着", "待在", "呆在", "留在", "站住", "停", "原地", "等着", "就在这",
           "够了", "别走", "待这", "呆这", "休息", "歇会"),
    "ja": ("止まって", "止まれ", "止まる", "とまって", "ストップ", "じっとして", "そのまま",
           "ここにいて", "そこにいて", "待機", "待って", "休んで"),
}

#: Single words that stop only when they are the whole clause ("Halt!", "¡Para!", "Alto"):
#: elsewhere "halt" is a German particle, "para" a Spanish preposition, "alto" "tall".
STAY_ALONE: tuple[str, ...] = ("para", "pare", "alto", "paren", "hold", "wait", "warte",
                               "attends", "espera", "aspetta", "等", "等等", "whoa")

#: Openers of a polite request in question form: "can you go …?" asks for motion.
POLITE: Phrases = {
    "en": ("can you", "could you", "would you", "will you", "can u", "could u", "would u",
           "would you mind", "would you kindly", "how about you", "won't you",
           "would it be possible", "is it possible for you to", "do you mind",
           "may i ask you to", "do me a favor"),
    "fr": ("peux-tu", "peux tu", "pourrais-tu", "pourrais tu", "tu peux", "tu pourrais",
           "pouvez-vous", "pouvez vous", "pourriez-vous", "pourriez vous", "veux-tu",
           "voudrais-tu", "tu veux bien", "est-ce que tu peux", "est-ce que tu pourrais",
           "est-ce que vous pouvez", "vous pouvez", "tu voudrais", "voulez-vous"),
    "de": ("kannst du", "konntest du", "wurdest du", "konnen sie", "konnten sie",
           "wurden sie", "magst du", "willst du", "warst du so nett", "sei so nett",
           "kannst", "konntest", "wurdest"),
    "es": ("puedes", "podrias", "puede", "podria", "quieres", "me haces el favor",
           "te importaria", "seria posible", "podrias por favor", "me harias el favor"),
    "it": ("puoi", "potresti", "puo", "potrebbe", "vuoi", "ti dispiace"),
    "zh": ("能不能", "可不可以", "可以", "能", "麻烦你", "好吗", "行吗", "好不好"),
    "ja": ("てくれる", "てくれない", "てくれませんか", "てもらえる", "てもらえますか",
           "ていただけ", "てください", "ませんか"),
}

#: Questions that look like polite requests but ask about perception or knowledge ("can you
#: see the door?"): they ask, they do not request.
NOT_REQUESTS: Phrases = {
    "en": ("can you see", "could you see", "can you hear", "do you see", "can you tell me",
           "could you tell me", "can you remember", "do you remember", "do you know",
           "can you tell if", "would you know"),
    "fr": ("peux-tu voir", "tu vois", "tu sais", "peux-tu me dire", "sais-tu"),
    "de": ("kannst du sehen", "siehst du", "weisst du", "kannst du mir sagen"),
    "es": ("puedes ver", "ves", "sabes", "puedes decirme"),
    "it": ("riesci a vedere", "vedi", "sai"),
    "zh": ("看得见", "看得到", "能看到", "知道", "看见"),
    "ja": ("見える", "知って"),
}

#: Words that ask for motion without being verbs of motion ("check the door", "take me to",
#: "I need you in the kitchen", "to the window"): a clause naming a place with one of them
#: (or a verb of motion) asks for it; one without, but with a copula ("the kitchen tiles are
#: still drying", "厨房地上全是水"), only talks about it: a statement.
REQUESTS: Phrases = {
    "en": ("take me", "bring", "check*", "visit*", "tour", "need you", "want you", "join",
           "meet me", "wait", "stand", "park", "sit", "look", "inspect", "patrol", "show me",
           "lead", "guide", "back", "to", "toward", "towards", "into", "over", "off to",
           "please", "stay", "remain", "stop", "swing", "pop", "hop", "zoom", "hurry", "rush",
           "let's", "lets"),
    "fr": ("emmene*", "amene*", "passe", "verifie*", "visite*", "rejoins", "attends", "reste",
           "a la", "au", "aux", "vers", "jusqu'a", "jusqu'au", "dans la", "dans le",
           "direction", "file", "cours"),
    "de": ("bring*", "schau*", "besuch*", "prufe", "warte", "bleib", "zum", "zur", "in die",
           "ins", "nach", "richtung", "hin", "ab", "los"),
    "es": ("lleva*", "trae", "revisa", "visita", "espera", "quedate", "al", "a la", "hacia",
           "hasta", "corre", "pasa"),
    "it": ("porta*", "controlla", "visita", "aspetta", "resta", "alla", "al", "verso",
           "fino"),
    "zh": ("到", "回", "带", "看看", "检查", "等", "待", "去", "往", "朝", "请"),
    "ja": ("行っ", "来て", "向かっ", "戻っ", "に行", "へ"),
}

#: A copula or an existential: with a place and no request, the clause is a statement.
COPULAS: Phrases = {
    "en": ("is", "are", "was", "were", "isn't", "aren't", "wasn't", "has", "have", "had",
           "there's", "seems", "looks", "feels", "kitchen's", "it's", "that's", "got", "gets",
           "getting", "became", "been", "being", "i'm", "im", "we're", "you're", "they're",
           "he's", "she's", "someone's", "there are", "there is"),
    "fr": ("est", "sont", "etait", "etaient", "il y a", "c'est", "a ete", "semble", "devient"),
    "de": ("ist", "sind", "war", "waren", "gibt", "liegt", "liegen", "steht", "stehen", "hat",
           "haben", "wird", "werden", "bleibt", "scheint"),
    "es": ("esta", "estan", "es", "son", "hay", "estaba", "estaban", "era", "parece",
           "sigue", "queda"),
    "it": ("e", "sono", "c'e", "ci sono", "era", "sembra"),
    "zh": ("是", "有", "在", "着", "了"),
    "ja": ("です", "いる", "ある", "だ", "ます"),
}

#: "There is", "il y a", "es gibt": with a negation and no verb of motion, the clause says
#: what is (not) at a place ("there's no one in the kitchen"), it forbids nothing.
EXISTENTIALS: Phrases = {
    "en": ("there's", "there is", "there are", "there was", "there were", "there isn't",
           "there aren't", "there wasn't"),
    "fr": ("il y a", "il n'y a", "y a", "il y avait", "il n'y avait"),
    "de": ("es gibt", "gibt es", "es ist kein", "es sind keine"),
    "es": ("hay", "no hay", "habia", "no habia"),
    "it": ("c'e", "ci sono", "non c'e", "non ci sono", "c'era"),
    "zh": ("没有人", "没人", "有人"),
    "ja": ("いない", "ない", "いる", "ある"),
}

#: Negations that are a subject, not an order: "nobody's in the kitchen".
NEGATIVE_PRONOUNS: frozenset[str] = frozenset((
    "no one", "nobody", "noone", "no-one", "nothing", "none", "personne ne", "personne n'",
    "rien", "niemand", "nichts", "nadie", "nessuno", "niente",
))

#: "Don't go anywhere else": a negation of moving elsewhere limits the destination to the one
#: named (asked for plainly or not at all), it does not forbid moving.
ELSEWHERE: frozenset[str] = frozenset((
    "else", "other", "ailleurs", "autre", "sonst", "anders", "woanders", "otra", "otro",
    "altro", "altra", "altrove", "别处", "其他", "ほか",
))

#: Words that open a subordinate clause: a comma before them does not end the clause it
#: depends on ("Ich möchte nicht, dass du in die Küche gehst").
COMPLEMENTIZERS: frozenset[str] = frozenset(("dass", "that", "que", "qu'", "che", "ob"))

#: Words that open a question (without a polite opener it asks, it does not request).
QUESTION_OPENERS: Phrases = {
    "en": ("is", "are", "was", "were", "do you", "do we", "do i", "does", "did", "have you",
           "have we", "has the", "has anyone", "has anybody", "has someone", "can i",
           "could i", "should", "shall", "may i", "might", "what", "what's", "whats", "where",
           "where's", "wheres", "why", "how", "who", "who's", "which", "whose", "isn't",
           "aren't", "any", "anyone", "anybody"),
    "fr": ("est-ce", "qu'est-ce", "ou est", "ou se", "ou sont", "ou es", "pourquoi",
           "comment", "quel", "quelle", "quels", "quelles", "qui", "combien", "y a-t-il",
           "est-il", "est-elle"),
    "de": ("wo", "warum", "wieso", "weshalb", "wie", "wann", "was", "wer", "welche*", "ist",
           "sind", "hast", "hat", "gibt es", "weisst du"),
    "es": ("donde", "adonde", "por que", "quien", "cual", "hay", "sabes"),
    "it": ("dove", "dov'e", "perche", "chi", "quale", "cosa", "c'e", "sai"),
    "zh": ("哪", "什么", "为什么", "怎么", "谁", "是不是", "有没有", "要不要", "会不会", "请问"),
    "ja": ("どこ", "何", "なに", "誰", "いつ", "なぜ", "どう"),
}

#: Question particles at the end of a clause (zh, ja), read like a "?".
QUESTION_ENDINGS: tuple[str, ...] = ("吗", "呢", "么", "か", "の")

#: Words that point back at the last place named ("keep away from it", "n'y va pas").
ANAPHORA: Phrases = {
    "en": ("it", "there", "that room", "that place", "that area", "this room", "in there",
           "over there", "that way", "that", "them"),
    "fr": ("y", "la-bas", "cette piece", "cet endroit", "dedans"),
    "de": ("da", "dort", "dahin", "dorthin", "hin", "dort hin", "da rein", "dort rein",
           "dieser raum", "diesen raum", "davon", "dort drin"),
    "es": ("alli", "ahi", "alla", "ese lugar", "esa habitacion", "ese sitio"),
    "it": ("li", "ci", "quel posto", "quella stanza"),
    "zh": ("那里", "那儿", "那边", "那", "里面", "过去"),
    "ja": ("そこ", "あそこ", "そっち", "あっち"),
}

#: Requests to dock without naming the dock ("go charge", "recharge-toi", "充电").
DOCK_VERBS: Phrases = {
    "en": ("dock", "charge", "recharge", "charging", "plug yourself in", "top up"),
    "fr": ("recharge*", "charger", "branche-toi"),
    "de": ("lade*", "aufladen", "laden"),
    "es": ("carga*", "recarga*", "cargate", "recargate"),
    "it": ("ricarica*", "caricati"),
    "zh": ("充电",),
    "ja": ("充電",),
}

#: Connectives that put steps in order: a "stay" after one of them (and after a destination)
#: is a step of the plan, not a refusal.
SEQUENCE: Phrases = {
    "en": ("then", "and then", "after that", "afterwards", "afterward", "and",
           "and after that", "and finally", "finally"),
    "fr": ("puis", "ensuite", "et", "et puis", "apres ca", "apres cela", "et ensuite",
           "enfin"),
    "de": ("dann", "danach", "und", "und dann", "anschliessend", "und danach", "zuletzt"),
    # Spanish "y" = "and", but French "il y a", "s'il y a", "tu peux y aller": not after
    # "il", nor before a French verb.
    "es": ("luego", "despues",
           "re:(?<![\\w'-])(?<!il )y(?![\\w'-])(?!\\s+(?:aller|va|vas|vais|allez|allons|"
           "entrer|entre|entrez|retourner|retourne|rester|reste|passer|passe)\\b)",
           "y luego", "y despues",
           "despues de eso", "entonces",
           "finalmente"),
    "it": ("poi", "e poi", "dopo", "e", "quindi"),
    "zh": ("然后", "接着", "之后", "并且", "最后"),
    "ja": ("それから", "そして"),
}

#: Connectives that oppose: what follows is asked for, whatever came before.
CONTRAST: Phrases = {
    "en": ("but", "instead", "but instead"),
    "fr": ("mais", "plutot", "mais plutot"),
    "de": ("aber", "sondern", "stattdessen", "statt dessen"),
    "es": ("pero", "sino", "en cambio"),
    "it": ("ma", "invece", "piuttosto"),
    "zh": ("但是", "可是", "而是"),
    "ja": ("でも", "けど", "じゃなくて", "ではなく"),
}

#: Words of a noun phrase that add no meaning: a clause of only these and places ("and the
#: living room") continues the clause before it.
NP_FILLER: frozenset[str] = frozenset((
    "the", "a", "an", "to", "into", "in", "at", "by", "near", "toward", "towards", "and",
    "or", "nor", "either", "too", "also", "please", "area", "le", "la", "les", "l'", "du",
    "des", "au", "aux", "a", "vers", "dans", "et", "ou", "ni", "der", "die", "das", "dem",
    "den", "zum", "zur", "ins", "im", "zu", "nach", "an", "und", "oder", "auch", "el", "los",
    "las", "al", "del", "hacia", "en", "y", "o", "tambien", "il", "lo", "gli", "i", "alla",
    "al", "nella", "nel", "e", "anche", "的", "和", "或", "还有", "也", "或者", "是",
    "zone", "spot", "side",
))

#: Words that only stress a negation: "Do not, under any circumstances, go …" keeps its "not"
#: across the commas. (Negation words themselves are also allowed in such a clause.)
INTENSIFIERS: frozenset[str] = frozenset((
    "under", "any", "circumstances", "whatever", "you", "do", "happens", "ever", "really",
    "at", "all", "by", "means", "please", "i", "beg", "seriously", "absolutely", "surtout",
    "absolument", "en", "aucun", "cas", "bloss", "ja", "auf", "keinen", "fall", "unter",
    "umstanden", "bajo", "concepto", "por", "nada", "del", "mundo", "千", "万", "绝", "对",
    "决", "per", "nessun", "motivo", "絶", "対", "ever", "again",
))

#: A clause made only of these is a self-correction ("No.", "Don't!", "不", "いや").
BARE_NEGATIONS: frozenset[str] = frozenset((
    "no", "nope", "nah", "non", "nein", "don't", "dont", "do", "not", "nicht",
    "ne", "pas", "ni", "no!", "oh", "ah", "uh", "hmm", "ach", "bueno", "well", "nee", "noo",
    "nooo", "不", "不要", "别", "いや", "いいえ", "哦", "啊",
    # "maybe not", "don't bother", "no need", "not necessary", "just don't", "better not"
    "maybe", "perhaps", "bother", "need", "necessary", "needed", "actually", "then", "just",
    "really", "please", "better", "peut-etre", "vielleicht", "quizas", "forse",
))

#: The last clause of "…, ok?", "…, compris ?": the question mark belongs to it alone.
QUESTION_TAGS: frozenset[str] = frozenset((
    "ok", "okay", "right", "understood", "got it", "alright", "all right", "yes", "yeah",
    "clear", "compris", "d'accord", "verstanden", "ja", "oder", "gell", "klar", "entendido",
    "vale", "verdad", "capito", "va bene", "chiaro", "好吗", "好不好", "行吗", "可以吗",
    "明白吗", "懂吗", "知道吗", "いい", "わかった", "no", "non", "si", "see", "alles klar",
))

#: Connectives that say "after that" (not just "and"): "stay here, then go to the kitchen"
#: makes the stay a step before the motion.
THEN: tuple[str, ...] = ("then", "and then", "after that", "afterwards", "afterward",
                         "and after that", "puis", "et puis", "ensuite", "et ensuite",
                         "apres ca", "apres cela", "dann", "und dann", "danach", "und danach",
                         "anschliessend", "luego", "y luego", "despues", "y despues",
                         "despues de eso", "poi", "e poi", "dopo", "然后", "接着", "之后",
                         "それから")

#: "Instead" anywhere in a clause makes it the new request ("go to the window instead").
INSTEAD: tuple[str, ...] = ("instead", "plutot", "stattdessen", "statt dessen", "en cambio",
                            "mejor", "invece", "piuttosto", "lieber", "改", "换成")

#: "Tell me …" asks the robot something; it does not give it words to say.
TELL_ME: tuple[str, ...] = ("tell me", "dis-moi", "dites-moi", "sag mir", "sagen sie mir",
                            "dime", "digame", "dimmi", "告诉我", "教えて")

#: Verbs that open what the robot should say: cues inside it are someone else's words
#: ("tell them not to wait"), except a hazard, which still warns about its place.
SAY_OPENERS: tuple[str, ...] = (
    "say", "tell", "announce", "shout", "let everyone know", "let them know", "dis", "dites",
    "annonce", "previens", "sag", "sage", "sagen", "teile", "kundige", "di", "dile", "diles",
    "diga", "anuncia", "avisa", "dici", "annuncia", "说", "告诉", "宣布", "跟大家说", "言って",
)
