"""The words of introducing, in many languages: one signal among several (recognition.py).

Written from knowledge of the languages, not from examples: the verbs for introduce,
connect, put in touch, meet and get to know each other; the words for "you two" and
"each other"; the nouns a subject uses; and, against, thanks for an introduction and
announcements of products. A trailing ``*`` is a stem (any ending follows: Slavic,
Finnic, Turkic and Romance verbs inflect); other entries are whole words. Scripts
without spaces between words (Chinese, Japanese, Thai) and those whose words take
prefixes or particles (Korean, Arabic, Hebrew) match anywhere.

Every entry is folded (inbound.understanding.folding) when the patterns are built, so
they are written here as people write them.
"""

from __future__ import annotations

import re
from typing import Any

from inbound.understanding.folding import fold

# The act of introducing, or asking two people to get to know each other.
INTRODUCING = {
    "en": ("introduce you", "introducing you", "introduce the two of you", "introduce you both", "put you in touch",
           "put you two in touch", "putting you in touch", "connect you", "connecting you", "connect the two of you",
           "get to know each other", "e-introduce", "e-intro", "virtual intro", "double opt-in", "double opt in",
           "should meet", "should connect", "should talk", "ought to meet", "must meet", "need to meet",
           "wanted you to meet", "want you to meet", "you two should", "you both should", "making an intro",
           "make an intro", "making the intro", "happy to connect", "glad to connect", "pleasure to connect",
           "pleased to introduce", "delighted to introduce", "let me introduce", "allow me to introduce",
           "i'd like to introduce", "i would like to introduce", "introductions are in order",
           "looping you both in", "looping you two in", "looping you all in", "looping the two of you in"),
    "de": ("vorstellen", "stelle euch*", "stelle ihnen*", "stelle dir*", "möchte euch*", "bekannt machen",
           "bekanntmachen", "in kontakt bringen", "in verbindung bringen", "miteinander verbinden",
           "vernetzen", "vernetze euch", "kennenlernen", "kennen lernen", "kennenzulernen", "austauschen"),
    "es": ("presentaros", "presentarte", "presentarles", "presentarlos", "presentarlas", "os presento",
           "te presento", "les presento", "quiero presentar*", "me gustaría presentar*", "poner en contacto",
           "poneros en contacto", "ponerlos en contacto", "conectaros", "conectarlos", "conectar a",
           "se conozcan", "os conozcáis", "conocerse", "conoceros"),
    "fr": ("vous présenter", "te présenter", "je vous présente", "je te présente", "mettre en relation",
           "mise en relation", "mettre en contact", "vous mettre en contact", "faire connaissance",
           "vous connecter", "vous rencontriez", "vous rencontrer", "vous connaître"),
    "it": ("presentarvi", "presentarti", "vi presento", "ti presento", "mettervi in contatto",
           "mettere in contatto", "mettervi in comunicazione", "conoscervi", "vi conosciate", "farvi conoscere"),
    "pt": ("apresentar vocês", "apresentá-los", "apresentá-las", "apresentar-vos", "apresento", "vos apresento",
           "te apresento", "colocar em contato", "colocar vocês em contato", "pôr em contacto", "por em contato",
           "conectar vocês", "se conhecerem", "vocês se conheçam", "conhecer-se"),
    "nl": ("voorstellen", "stel jullie*", "stel je voor aan", "in contact brengen", "met elkaar in contact",
           "kennismaken", "kennis maken", "kennis laten maken", "met elkaar verbinden", "aan elkaar koppelen"),
    "ca": ("us presento", "et presento", "presentar-vos", "posar-vos en contacte", "posar en contacte",
           "us conegueu", "conèixer-vos"),
    "pl": ("powinniście się", "przedstawić was", "przedstawiam*", "przedstawić wam", "chciałbym przedstawić*",
           "chciałabym przedstawić*", "poznać was", "poznajcie się", "poznaliście", "zapoznać*",
           "skontaktować was", "połączyć was", "skomunikować*"),
    "cs": ("představit*", "představuji*", "seznámit*", "seznamte se", "propojit vás", "spojit vás", "poznali",
           "měli byste se", "byste se měli"),
    "sk": ("predstaviť*", "predstavujem*", "zoznámiť*", "zoznámte sa", "prepojiť vás", "spojiť vás",
           "mali by ste sa", "by ste si mali", "mali by ste si"),
    "sl": ("predstavim*", "predstaviti*", "spoznata", "spoznajta", "povezati vaju"),
    "hr": ("upoznati*", "upoznajte se", "upoznam*", "predstaviti*", "predstavljam*", "povezati vas",
           "spojiti vas"),
    "sr": ("упознати*", "упознајте се", "представити*", "представљам*", "повезати вас"),
    "bg": ("да ви запозная", "запозная*", "запознайте се", "да ви представя", "представя*", "да ви свържа"),
    "ru": ("вам стоит познакомиться", "вам стоит пообщаться", "вам нужно познакомиться", "познакомить*",
           "познакомлю*", "знакомьтесь", "познакомитесь", "познакомиться", "представить вас",
           "представляю*", "свести вас", "связать вас", "соединить вас", "познакомились"),
    "uk": ("познайомити*", "познайомлю*", "знайомтеся", "знайомтесь", "познайомитися", "представити вас",
           "представляю*", "звести вас", "зв'язати вас", "з'єднати вас"),
    "sv": ("presentera*", "introducera*", "koppla ihop er", "koppla ihop*", "sammanföra*", "få kontakt",
           "lära känna varandra", "träffas"),
    "no": ("presentere*", "introdusere*", "koble dere*", "sette dere i kontakt", "bli kjent",
           "bli kjent med hverandre"),
    "da": ("præsentere*", "introducere*", "koble jer*", "sætte jer i forbindelse", "sætte jer i kontakt",
           "lære hinanden at kende"),
    "fi": ("esitellä*", "esittelen*", "esittelisin*", "tutustua toisiinne", "tutustuttaa*", "tutustukaa",
           "yhdistää teidät", "saattaa teidät yhteen", "saattaa teidät*"),
    "et": ("tutvustada*", "tutvustan*", "tutvuge", "viia teid kokku"),
    "lv": ("iepazīstināt*", "iepazīstieties"),
    "lt": ("supažindinti*", "susipažinkite", "pristatyti*"),
    "hu": ("bemutatni*", "bemutatom*", "bemutassalak*", "megismerkedjetek", "ismerkedjetek meg",
           "megismerjétek", "összekötni*", "összekötnélek", "összehozni*", "összeismertet*"),
    "ro": ("să vă prezint", "vă prezint", "prezint*", "să vă cunoașteți", "vă fac cunoștință",
           "vă pun în legătură", "să vă pun în legătură", "să vă conectez"),
    "el": ("σας συστήσω", "να σας συστήσω", "σας συστήνω", "σας γνωρίσω", "γνωριστείτε", "να γνωριστείτε",
           "σας φέρω σε επαφή", "σας συνδέσω"),
    "tr": ("tanıştırmak*", "tanıştırayım", "tanıştırıyorum", "tanıştırmak istiyorum", "tanışın",
           "tanışmanızı*", "tanışmanızda", "tanışmalısınız", "bağlantı kurmanızı*", "sizi bağlamak*"),
    "ja": ("紹介", "ご紹介", "お繋ぎ", "おつなぎ", "お引き合わせ", "引き合わせ", "顔合わせ", "繋げたく",
           "つなげたく", "お知り合いに", "知り合って"),
    "zh": ("介绍", "介紹", "认识一下", "認識一下", "引荐", "引薦", "牵线", "牽線", "互相认识", "互相認識",
           "认识认识", "對接", "对接", "搭个线"),
    "ko": ("소개", "연결해", "연결시켜", "인사 나누", "인사나누", "알고 지내", "만나 보시", "만나보시"),
    "ar": ("أعرفكم", "أعرّفكم", "أقدم لكم", "أقدّم لكم", "أقدمكم", "للتعارف", "تتعارفوا", "تتعرفوا",
           "أوصلكم", "أربطكم"),
    "he": ("להכיר ביניכם", "להכיר לכם", "להציג בפניכם", "מכיר ביניכם", "הכירו", "לחבר ביניכם",
           "לחבר אתכם", "מחבר ביניכם"),
    "fa": ("معرفی کنم", "آشنا کنم", "آشنا شوید", "با هم آشنا"),
    "hi": ("परिचय करा", "परिचय करवा", "मिलवाना", "मिलवा रहा", "मिलवा रही", "जान-पहचान", "आपस में जोड़",
           "से मिलिए", "मिलिए"),
    "bn": ("পরিচয় করিয়ে", "পরিচয় করাতে"),
    "id": ("memperkenalkan*", "perkenalkan", "kenalkan", "berkenalan", "saling kenal", "saling mengenal",
           "menghubungkan kalian", "menghubungkan anda"),
    "ms": ("memperkenalkan*", "perkenalkan", "berkenalan", "berkenal-kenalan", "menghubungkan kamu"),
    "tl": ("ipakilala", "ipinapakilala", "ipinakikilala", "magkakilala"),
    "vi": ("giới thiệu", "làm quen", "kết nối hai", "kết nối anh", "kết nối chị", "kết nối các bạn"),
    "th": ("แนะนำ", "ทำความรู้จัก", "รู้จักกัน", "เชื่อมต่อ"),
    "sw": ("kuwatambulisha", "nawatambulisha", "kuwaunganisha", "mfahamiane"),
}

# Words of INTRODUCING that also introduce products, talks and meetings ("商品のご紹介",
# "新产品介绍", "wir sollten uns austauschen", "vi träffas på tisdag"): a weaker signal.
AMBIGUOUS = frozenset((
    "紹介", "ご紹介", "介绍", "介紹", "소개", "แนะนำ", "giới thiệu", "เชื่อมต่อ", "kennenlernen", "kennen lernen",
    "kennenzulernen", "austauschen", "träffas", "få kontakt", "bli kjent", "conocerse", "conoceros",
    "faire connaissance", "vous rencontrer", "vous rencontriez", "conoscervi", "conhecer-se", "connect you",
    "connecting you", "happy to connect", "glad to connect", "pleasure to connect", "should connect", "should talk",
    "मिलिए", "làm quen", "tanışın", "sammanföra*", "kennismaken", "kennis maken",
))

# "You two", "both of you", "each other": the message speaks to two people about each other.
MUTUAL = {
    "en": ("you two", "you both", "both of you", "the two of you", "each other", "one another", "the three of you",
           "you three", "all three of you"),
    "de": ("ihr beiden", "ihr beide", "euch beiden", "euch beide", "sie beide", "einander", "gegenseitig"),
    "es": ("ustedes dos", "vosotros dos", "vosotras dos", "los dos", "las dos", "entre ustedes", "mutuamente"),
    "fr": ("vous deux", "tous les deux", "toutes les deux", "l'un l'autre", "l'une l'autre"),
    "it": ("voi due", "tutti e due", "tutte e due", "a vicenda", "l'un l'altro"),
    "pt": ("vocês dois", "vocês duas", "vós dois", "os dois", "as duas", "um ao outro", "uma à outra"),
    "nl": ("jullie twee", "jullie beiden", "jullie allebei", "elkaar"),
    "ca": ("vosaltres dos", "tots dos", "totes dues", "l'un a l'altre"),
    "pl": ("wy dwoje", "wy dwaj", "wy dwie", "was dwoje", "was obu", "was oboje", "siebie nawzajem",
           "się nawzajem", "wzajemnie"),
    "cs": ("vy dva", "vy dvě", "vás dva", "vás oba", "navzájem", "jeden druhého"),
    "sk": ("vy dvaja", "vás dvoch", "navzájom"),
    "hr": ("vas dvoje", "vas dvojica", "vi dvoje", "jedno drugo", "jedan drugog", "međusobno"),
    "sr": ("вас двоје", "ви двоје", "једно друго", "међусобно"),
    "bg": ("вие двамата", "двамата", "един друг"),
    "ru": ("вы оба", "вы обе", "вас обоих", "вас обеих", "вас двоих", "друг друга", "друг с другом"),
    "uk": ("ви обидва", "ви обидві", "вас обох", "вас двох", "один одного", "одне одного", "один з одним"),
    "sv": ("ni två", "ni båda", "er båda", "er två", "varandra"),
    "no": ("dere to", "dere begge", "hverandre"),
    "da": ("jer to", "jer begge", "i to", "hinanden"),
    "fi": ("te kaksi", "teidät molemmat", "te molemmat", "toisianne", "toisiinne", "toistenne"),
    "et": ("te kaks", "teineteist", "üksteist"),
    "hu": ("ti ketten", "kettőtöket", "titeket", "egymást", "egymással"),
    "ro": ("voi doi", "voi două", "amândoi", "amândouă", "unul pe altul", "reciproc"),
    "el": ("εσείς οι δύο", "οι δυο σας", "οι δύο σας", "ο ένας τον άλλον", "ο ένας τον άλλο", "αλλήλους"),
    "tr": ("ikiniz", "siz ikiniz", "ikinizi", "ikinizin", "birbirinizi", "birbirinizle", "birbirinize"),
    "ja": ("お二人", "おふたり", "お互い", "二人とも"),
    "zh": ("你们俩", "你們倆", "你们两位", "你們兩位", "两位", "兩位", "你们两个", "彼此", "互相"),
    "ko": ("두 분", "두분", "서로"),
    "ar": ("كلاكما", "أنتما", "بعضكما", "لبعضكما"),
    "he": ("שניכם", "שתיכן", "אחד את השני", "זה את זה"),
    "fa": ("شما دو نفر", "همدیگر"),
    "hi": ("आप दोनों", "तुम दोनों", "एक-दूसरे", "एक दूसरे"),
    "id": ("kalian berdua", "anda berdua", "satu sama lain"),
    "ms": ("kamu berdua", "anda berdua", "satu sama lain"),
    "vi": ("hai bạn", "hai anh", "hai chị", "hai người", "lẫn nhau"),
    "th": ("ทั้งสองท่าน", "ทั้งสองคน", "สองท่าน", "กันและกัน"),
}

# A subject (or a heading) that says "introduction".
INTRODUCTION_NOUNS = (
    # Not the words that also mean a talk with slides (presentation, presentación, ...).
    "intro", "introduction", "introductions", "introducing", "connecting", "meet", "vorstellung", "kennenlernen",
    "introdução", "introductie", "kennismaking", "przedstawienie", "zapoznanie", "poznajcie się", "představení",
    "seznámení", "zoznámenie", "upoznavanje", "запознанство", "знакомство", "знайомство", "introduktion",
    "introduksjon", "esittely", "tutustuminen", "bemutatás", "bemutatkozás", "cunoștință", "γνωριμία", "σύσταση",
    "tanışma", "tanıştırma", "紹介", "ご紹介",
    "介绍", "介紹", "소개", "تعارف", "تعريف", "היכרות", "הכרות", "معرفی", "परिचय", "perkenalan", "giới thiệu",
    "แนะนำ", "pagpapakilala", "utambulisho",
)

# Against: thanks for an introduction (what the people introduced write back).
THANKS = {
    "en": ("thanks for the intro", "thank you for the intro", "thanks for the introduction",
           "thank you for the introduction", "thanks for connecting us", "thank you for connecting us",
           "thanks for introducing", "thank you for introducing", "great to meet you", "nice to meet you",
           "pleasure to meet you", "good to meet you", "lovely to meet you"),
    "de": ("danke für die vorstellung", "danke für das vorstellen", "danke für den kontakt",
           "danke fürs vorstellen", "danke für die verbindung", "freut mich, dich kennenzulernen",
           "freut mich, sie kennenzulernen", "schön, dich kennenzulernen", "schön, sie kennenzulernen"),
    "es": ("gracias por la presentación", "gracias por presentarnos", "gracias por ponernos en contacto",
           "encantado de conocerte", "encantada de conocerte", "un placer conocerte"),
    "fr": ("merci pour la présentation", "merci pour la mise en relation", "merci de nous avoir présentés",
           "merci de nous avoir mis en relation", "ravi de faire ta connaissance", "ravie de faire votre connaissance",
           "ravi de vous rencontrer", "enchanté"),
    "it": ("grazie per la presentazione", "grazie per averci presentati", "grazie per averci messo in contatto",
           "piacere di conoscerti", "lieto di conoscerti", "felice di conoscerti"),
    "pt": ("obrigado pela apresentação", "obrigada pela apresentação", "obrigado por nos apresentar",
           "obrigada por nos apresentar", "prazer em conhecer", "prazer em te conhecer"),
    "nl": ("bedankt voor de introductie", "bedankt voor het voorstellen", "dank voor de introductie",
           "leuk je te leren kennen", "leuk u te leren kennen", "aangenaam kennis te maken"),
    "pl": ("dziękuję za przedstawienie", "dzięki za przedstawienie", "dziękuję za kontakt", "miło cię poznać",
           "miło pana poznać", "miło panią poznać"),
    "ru": ("спасибо за знакомство", "спасибо, что познакомил", "спасибо что познакомили", "рад познакомиться",
           "рада познакомиться", "приятно познакомиться"),
    "uk": ("дякую за знайомство", "радий познайомитися", "рада познайомитися", "приємно познайомитися"),
    "sv": ("tack för introduktionen", "tack för presentationen", "trevligt att träffas", "kul att höras"),
    "tr": ("tanıştırdığın için teşekkür", "tanıştırdığınız için teşekkür", "tanıştığıma memnun oldum",
           "tanıştığımıza memnun oldum"),
    "ja": ("ご紹介いただき", "ご紹介ありがとう", "紹介してくれてありがとう", "紹介していただき", "はじめまして"),
    "zh": ("谢谢介绍", "謝謝介紹", "感谢介绍", "感謝介紹", "谢谢你的介绍", "很高兴认识", "很高興認識"),
    "ko": ("소개해 주셔서 감사", "소개해주셔서 감사", "소개 감사", "만나서 반갑습니다"),
}

# Thanks in scripts without spaces put the name of the one thanked in the middle:
# "谢谢王总的介绍", "田中さんにご紹介いただき", "김 대표님 소개 감사합니다" (regular expressions, folded).
THANKS_AROUND = (
    # "Thanks Sam for the intro", "Merci Julien pour la mise en relation", "Danke, Herr Ott, für die Vorstellung".
    r"(?:thanks|thank you|thx|merci|danke|dank|gracias|grazie|obrigad[oa]|bedankt|tack|takk|tak|dzięki|dziękuję"
    r"|děkuji|díky|köszönöm|mulțumesc|teşekkürler|teşekkür ederim|спасибо|дякую|ευχαριστώ|kiitos|terima kasih"
    r"|cảm ơn|gràcies)[ ,]+(?:\w+[ ,]+){0,3}(?:for|pour|für|por|per|voor|för|for|za|за|için|για|untuk|vì|per)"
    r"\s+(?:the |this |la |le |l'|die |das |den |la |el |il |de |het |a |o |tu |your |ta |votre )?"
    r"(?:intro|introduction|introducing|connecting|connection|mise en relation|pr[eé]sentation|vorstellung"
    r"|kontakt|presentaci[oó]n|presentazione|apresenta[cç][aã]o|introductie|introduktion|przedstawienie"
    r"|знакомство|запознанство|tanıştırma|γνωριμία|perkenalan|giới thiệu|presentació)",
    # "Ravie de faire votre connaissance", "encantada de conocerte": the people introduced greeting each other.
    r"ravie?s? de (?:faire (?:ta|votre) connaissance|vous rencontrer|te rencontrer)|enchantee?s? de",
    r"encantad[oa]s? de conocer|un placer conocer|piacere di conoscer|prazer em conhecer",
    r"(?:谢谢|謝謝|感谢|感謝|多谢|多謝).{0,12}(?:介绍|介紹|引荐|引薦)",
    r"(?:紹介|引き合わせ|お繋ぎ|おつなぎ).{0,12}(?:ありがとう|感謝|いただき)",
    r"소개.{0,12}(?:감사|고맙)",
    r"(?:شكرا|شكراً).{0,20}(?:التعارف|التعريف|تعريفي|تقديمي)",
    r"תודה.{0,20}(?:ההיכרות|שהכרת|שחיברת)",
)

# Against: a product or company announcing something new ("introducing our new plan").
ANNOUNCING = (
    "introducing our", "we're introducing", "we are introducing", "we have introduced", "we've introduced",
    "we introduced", "introducing the new", "new feature", "new features", "new pricing", "new plan",
    "our new product", "product update", "release notes", "now available", "launching", "we're launching",
    "wir stellen vor", "neues produkt", "nous lançons", "nouvelle fonctionnalité", "presentamos nuestro",
    "nuevo plan", "新功能", "新機能", "出新",
)

# Against: a meeting among people who already work together. ("No agenda" is not one.)
MEETING = (
    "meeting agenda", "agenda for", "agenda:", "the agenda", "minutes of", "meeting minutes", "meeting notes",
    "action items", "tagesordnung", "protokoll der", "ordre du jour", "orden del día", "ordine del giorno",
    "pauta da reunião", "agenda van de", "議題", "议程", "회의록", "повестка дня",
)

# Someone copied only to be kept informed, who is not one of the people introduced.
FOR_INFORMATION = {
    "en": ("fyi", "for your information", "for visibility", "for your visibility", "for awareness", "for reference",
           "for the record", "no action needed", "no action required", "in the loop", "just so you know", "cc'ing",
           "copying in", "for info", "i'm copying", "i am copying", "cc'd", "copied here so"),
    "de": ("zur info", "zur information", "zur kenntnis", "nur zur info", "kein handlungsbedarf", "in kopie",
           "in cc", "zu ihrer information", "zu deiner information"),
    "fr": ("pour info", "pour information", "pour ton information", "pour votre information", "en copie",
           "aucune action", "pour suivi", "je mets en copie", "je copie"),
    "es": ("para tu información", "para su información", "para tu conocimiento", "para su conocimiento",
           "en copia", "a título informativo", "para que esté al tanto", "para que estés al tanto", "copio a",
           "pongo en copia", "para que esté enterado", "para que esté enterada", "para que estés enterado",
           "para que estés enterada", "solo para que"),
    "it": ("per conoscenza", "per informazione", "per tua informazione", "in copia", "p.c.", "metto in copia"),
    "pt": ("para conhecimento", "para sua informação", "para seu conhecimento", "em cópia", "só para informação",
           "apenas para informação", "para ficar a par"),
    "nl": ("ter info", "ter informatie", "ter kennisname", "in de cc", "in cc", "geen actie nodig"),
    "pl": ("do wiadomości", "dla informacji", "w kopii", "do kopii", "informacyjnie"),
    "cs": ("pro informaci", "na vědomí", "v kopii", "do kopie"),
    "sk": ("pre informáciu", "na vedomie", "v kópii"),
    "hu": ("tájékoztatásul", "tájékoztatás céljából", "másolatban", "tudomásul"),
    "ro": ("spre informare", "pentru informare", "în copie", "spre știință"),
    "sv": ("för kännedom", "för information", "i kopia", "för din information"),
    "no": ("for orientering", "til orientering", "til informasjon", "i kopi", "for informasjon"),
    "da": ("til orientering", "til information", "til din orientering", "i kopi"),
    "fi": ("tiedoksi", "tiedoksenne", "kopiona", "tiedoksesi"),
    "et": ("teadmiseks", "koopiana"),
    "ru": ("для информации", "к сведению", "в копии", "для сведения", "в курсе"),
    "uk": ("для інформації", "до відома", "в копії", "у копії"),
    "tr": ("bilgi için", "bilginize", "bilgi amaçlı", "bilgi olarak", "bilgisi olsun", "bilgide"),
    "el": ("για ενημέρωση", "προς ενημέρωση", "σε κοινοποίηση", "για την ενημέρωσή"),
    "ja": ("ご参考まで", "参考までに", "ccにて", "ccで", "共有まで", "念のため", "cc に入れて"),
    "zh": ("抄送", "供参考", "仅供参考", "知悉", "请知悉", "供您参考"),
    "ko": ("참조로", "참고로", "참고용", "참조 드", "cc로"),
    "ar": ("للعلم", "للاطلاع", "للإحاطة", "نسخة للعلم"),
    "he": ("לידיעה", "לידיעתך", "לידיעתכם", "בהעתק", "לעדכון"),
    "hi": ("जानकारी के लिए", "सूचना के लिए", "कॉपी में", "सीसी में"),
    "id": ("sebagai informasi", "untuk informasi", "sebagai tembusan", "untuk diketahui"),
    "ms": ("untuk makluman", "sebagai makluman"),
    "vi": ("để biết", "để nắm thông tin", "đồng gửi", "để nắm được"),
    "th": ("เพื่อทราบ", "สำเนาถึง", "เพื่อโปรดทราบ"),
}

_UNSPACED = re.compile(r"[\u0590-\u06ff\u0e00-\u0e7f\u1100-\u11ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def pattern(words: tuple[str, ...] | list[str]) -> re.Pattern[str]:
    """One pattern for ``words`` (folded), each matched as the docstring says."""
    whole: set[str] = set()
    stems: set[str] = set()
    joined: set[str] = set()
    for word in words:
        folded = fold(word.rstrip("*"))
        (joined if _UNSPACED.search(word) else stems if word.endswith("*") else whole).add(folded)
    parts = [rf"(?<!\w){trie(whole)}(?!\w)" if whole else "", rf"(?<!\w){trie(stems)}" if stems else "",
             trie(joined) if joined else ""]
    return re.compile("|".join(p for p in parts if p))


def trie(words: set[str]) -> str:
    """A regular expression for any of ``words``, factored into a trie: Python's re tries
    the alternatives of a group one after another, a trie each character once (hundreds of
    phrases in one pattern were a third of the time it took to understand a message).
    Greedy: the longest phrase at a position wins. An apostrophe may be left out."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _emit(root)


def _emit(node: dict[str, Any]) -> str:
    branches = ["'?" + _emit(child) if char == "'" else re.escape(char) + _emit(child)
                for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    group = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return f"(?:{group})?"
    return group


def around(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{fold(p)})" for p in patterns))


def every(table: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(word for words in table.values() for word in words)


def unspaced(text: str) -> bool:
    """Whether ``text`` is in a script written without spaces between words (or with particles attached)."""
    return bool(_UNSPACED.search(text))
