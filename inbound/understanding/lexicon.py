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
    "de": ("vorstellen", "einander vorstellen", "euch vorstellen", "euch beide vorstellen", "ihnen vorstellen",
           "euch gegenseitig vorstellen", "gegenseitig vorstellen", "stelle euch*", "stelle ihnen*", "stelle dir*",
           "möchte euch*", "bekannt machen",
           "bekanntmachen", "in kontakt bringen", "in verbindung bringen", "miteinander verbinden",
           "vernetzen", "vernetze euch", "kennenlernen", "kennen lernen", "kennenzulernen", "austauschen"),
    "es": ("presentaros", "presentarte", "presentarles", "presentarlos", "presentarlas", "os presento",
           "te presento", "les presento", "quiero presentar a", "quisiera presentar a", "me gustaría presentar a",
           "presentaros a", "presentarte a", "poner en contacto",
           "poneros en contacto", "ponerlos en contacto", "conectaros", "conectarlos", "conectar a",
           "se conozcan", "os conozcáis", "conocerse", "conoceros"),
    "fr": ("vous présenter", "te présenter", "je vous présente", "je te présente", "mettre en relation",
           "mise en relation", "mettre en contact", "vous mettre en contact", "faire connaissance",
           "vous connecter", "vous rencontriez", "vous rencontrer", "vous connaître"),
    "it": ("presentarvi", "presentarti", "vi presento", "ti presento", "mettervi in contatto",
           "mettere in contatto", "mettervi in comunicazione", "conoscervi", "vi conosciate", "farvi conoscere"),
    "pt": ("apresentar vocês", "apresentá-los", "apresentá-las", "apresentar-vos", "apresento", "vos apresento",
           "te apresento", "apresento-lhes", "apresento-vos", "apresentar-lhes", "queria apresentar-vos",
           "colocar em contato", "colocar vocês em contato", "pôr em contacto", "por em contato",
           "conectar vocês", "se conhecerem", "vocês se conheçam", "conhecer-se"),
    "nl": ("voorstellen", "aan elkaar voorstellen", "jullie aan elkaar", "jullie voorstellen aan", "stel jullie*",
           "stel je voor aan", "in contact brengen", "met elkaar in contact",
           "kennismaken", "kennis maken", "kennis laten maken", "met elkaar verbinden", "aan elkaar koppelen"),
    "ca": ("us presento", "et presento", "presentar-vos", "posar-vos en contacte", "posar en contacte",
           "us conegueu", "conèixer-vos"),
    "pl": ("powinniście się", "przedstawić was", "przedstawiam*", "przedstawić wam", "sobie przedstawić",
           "przedstawić sobie", "przedstawić państwa", "państwa sobie", "państwu przedstawić", "chciałbym przedstawić*",
           "chciałabym przedstawić*", "poznać was", "was poznać", "was przedstawić", "was połączyć", "was ze sobą",
           "poznajcie się", "poznaliście", "zapoznać*",
           "skontaktować was", "połączyć was", "skomunikować*"),
    "cs": ("představit*", "představuji*", "seznámit*", "seznamte se", "propojit vás", "vás propojit", "spojit vás",
           "vás spojit", "vás seznámit", "vás představit", "poznali", "vás propoj*", "vás sezn*", "propojil*",
           "měli byste se", "byste se měli"),
    "sk": ("predstaviť*", "predstavujem*", "zoznámiť*", "zoznámte sa", "prepojiť vás", "spojiť vás", "vás prepoj*",
           "vás zozn*", "vás spoj*", "prepojil*",
           "mali by ste sa", "by ste si mali", "mali by ste si"),
    "sl": ("predstavim*", "predstaviti*", "seznanil*", "seznaniti*", "seznanim*", "spoznata", "spoznajta",
           "povezati vaju"),
    "hr": ("upoznati*", "upoznajte se", "upoznam*", "predstaviti*", "predstavljam*", "povezati vas",
           "spojiti vas"),
    "sr": ("упознати*", "упознајте се", "представити*", "представљам*", "повезати вас"),
    "bg": ("да ви запозная", "запозная*", "запознайте се", "да ви представя", "представя*", "да ви свържа"),
    "ru": ("вам стоит познакомиться", "вам стоит пообщаться", "вам нужно познакомиться", "познакомить*",
           "познакомлю*", "знакомьтесь", "познакомитесь", "познакомиться", "представить вас",
           "представляю*", "свести вас", "вас свести", "связать вас", "вас связать", "соединить вас", "вас познакомить",
           "вас представить", "познакомились"),
    "uk": ("познайомити*", "познайомлю*", "знайомтеся", "знайомтесь", "познайомитися", "представити вас",
           "представляю*", "звести вас", "вас звести", "зв'язати вас", "вас зв'язати", "з'єднати вас",
           "вас познайомити",
           "вас представити"),
    "sv": ("presentera*", "presentera er", "presentera er för varandra", "presentera dig för", "introducera*",
           "möt", "koppla ihop er", "koppla ihop*", "sammanföra*", "få kontakt",
           "lära känna varandra", "träffas"),
    "no": ("presentere*", "presentere dere", "presentere deg for", "introdusere*", "møt", "koble dere*",
           "sette dere i kontakt", "bli kjent",
           "bli kjent med hverandre"),
    "da": ("præsentere*", "præsentere jer", "præsentere dig for", "introducere*", "mød", "koble jer*",
           "sætte jer i forbindelse", "sætte jer i kontakt",
           "lære hinanden at kende"),
    "fi": ("esitellä*", "esittelen*", "esittelisin*", "tutustua toisiinne", "tutustuttaa*", "tutustukaa",
           "yhdistää teidät", "saattaa teidät yhteen", "saattaa teidät*"),
    "et": ("tutvustada*", "tutvustan*", "tutvuge", "viia teid kokku"),
    "lv": ("iepazīstināt*", "iepazīstieties"),
    "lt": ("supažindinti*", "susipažinkite", "pristatyti*", "pristatyti jus", "jums pristatyti"),
    "hu": ("bemutatni*", "bemutatom*", "bemutassalak*", "megismerkedjetek", "ismerkedjetek meg",
           "megismerjétek", "összekötni*", "összekötnélek", "összehozni*", "összeismertet*"),
    "ro": ("să vă prezint", "vă prezint", "îți prezint", "prezint*", "să vă cunoașteți", "vă fac cunoștință",
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
    "ar": ("أعرفكم", "أعرّفكم", "أعرفكما", "أعرّفكما", "أقدم لكم", "أقدّم لكم", "أقدمكم", "أقدمكما",
           "أقدم كلا منكما", "أقدّم كلاً منكما", "للتعارف", "تتعارفوا", "تتعرفوا", "تتعارفا", "تتعرفا", "أوصلكم",
           "أربطكم", "أربطكما"),
    "he": ("להכיר ביניכם", "להכיר לכם", "להציג בפניכם", "מכיר ביניכם", "הכירו", "לחבר ביניכם",
           "לחבר אתכם", "מחבר ביניכם"),
    "fa": ("معرفی کنم", "آشنا کنم", "آشنا شوید", "با هم آشنا"),
    "hi": ("परिचय करा*", "परिचय करवा*", "मिलवाना", "मिलवा रहा", "मिलवा रही", "मिलवाने", "जान-पहचान",
           "आपस में जोड़*", "से मिलिए", "मिलिए"),
    "bn": ("পরিচয় করিয়ে", "পরিচয় করাতে"),
    "id": ("memperkenalkan*", "perkenalkan", "kenalkan", "berkenalan", "saling kenal", "saling mengenal",
           "menghubungkan kalian", "menghubungkan anda"),
    "ms": ("memperkenalkan*", "perkenalkan", "berkenalan", "berkenal-kenalan", "menghubungkan kamu"),
    "tl": ("ipakilala", "ipinapakilala", "ipinakikilala", "magkakilala"),
    "vi": ("giới thiệu", "làm quen", "kết nối hai", "kết nối anh", "kết nối chị", "kết nối các bạn"),
    "th": ("แนะนำ", "ทำความรู้จัก", "รู้จักกัน", "เชื่อมต่อ"),
    "sw": ("kuwatambulisha", "nawatambulisha", "kuwaunganisha", "mfahamiane"),
    "ta": ("அறிமுகப்படுத்த*", "அறிமுகம் செய்து", "அறிமுகம் செய்ய", "தொடர்பு படுத்த*"),
    "te": ("పరిచయం చేయ*", "పరిచయం చేస్తున్నా*", "పరిచయం చేస్తు*"),
    "mr": ("ओळख करून*", "ओळख करुन*", "ओळख करवून*"),
    "gu": ("પરિચય કરાવ*", "ઓળખાણ કરાવ*"),
    "ur": ("تعارف کروا", "تعارف کرا", "ملوانا", "ملوا رہا", "ملوا رہی"),
    "ne": ("परिचय गराउ*", "चिनजान गराउ*"),
    "si": ("හඳුන්වා දෙ*", "හඳුන්වා දී*"),
    "eu": ("aurkeztu*", "aurkezten*", "elkar ezagutu*", "harremanetan jarri*"),
    "gl": ("presentarvos", "preséntovos", "vos presento", "poñervos en contacto", "coñecervos"),
    "is": ("kynna ykkur", "kynna ykkur fyrir", "kynnast", "koma ykkur í samband"),
    "cy": ("cyflwyno*", "eich cyflwyno", "dod i adnabod"),
    "ga": ("cur in aithne", "a chur in aithne"),
    "sq": ("t'ju prezantoj", "ju prezantoj", "prezantoj*", "të njiheni", "t'ju njoh"),
    "mk": ("да ве запознаам", "запознаам*", "запознајте се", "да ве претставам", "да ве поврзам"),
    "bs": ("upoznati*", "upoznajte se", "predstaviti*", "povezati vas"),
    "hy": ("ծանոթացնել*", "ծանոթացեք", "ներկայացնել ձեզ"),
    "ka": ("გაგაცნოთ", "გაგაცნობთ", "გაიცანით", "დაგაკავშიროთ"),
    "af": ("aan mekaar voorstel", "aan julle voorstel", "voorstel aan", "stel julle voor", "in kontak bring",
           "mekaar leer ken"),
    "az": ("tanış etmək*", "tanış edim", "tanış edirəm", "tanış olun"),
    "uz": ("tanishtirmoqchi*", "tanishtiraman", "tanishib oling", "tanishtirish*"),
    "kk": ("таныстыр*", "танысыңыздар", "танысып алыңыз"),
    "mn": ("танилцуулах*", "танилцуулъя", "танилцаарай"),
    "am": ("ላስተዋውቃችሁ", "ተዋወቁ", "ማስተዋወቅ"),
    "km": ("ណែនាំ", "ស្គាល់គ្នា"),
    "my": ("မိတ်ဆက်", "မိတ်ဆက်ပေး"),
    "yo": ("ṣafihan yín", "fi yín hàn", "mọ ara yín"),
    "zu": ("nginethule", "ukunethula", "nazane"),
    "ha": ("gabatar da ku", "ku san juna"),
}

# Words of INTRODUCING that also introduce products, talks and meetings ("商品のご紹介",
# "新产品介绍", "wir sollten uns austauschen", "vi träffas på tisdag"): a weaker signal.
AMBIGUOUS = frozenset((
    "紹介", "ご紹介", "介绍", "介紹", "소개", "แนะนำ", "giới thiệu", "เชื่อมต่อ", "kennenlernen", "kennen lernen",
    "kennenzulernen", "austauschen", "träffas", "få kontakt", "bli kjent", "conocerse", "conoceros",
    "faire connaissance", "vous rencontrer", "vous rencontriez", "conoscervi", "conhecer-se", "happy to connect",
    "glad to connect", "pleasure to connect", "should talk",
    "मिलिए", "làm quen", "tanışın", "sammanföra*", "kennismaken", "kennis maken", "apresento", "للتعارف",
    "vorstellen", "voorstellen", "presentera*", "presentere*", "præsentere*", "prezint*", "pristatyti*",
    "cyflwyno*", "prezantoj*", "ណែនាំ", "möt", "møt", "mød", "kynnast", "voorstel aan",
))

# "You two", "both of you", "each other": the message speaks to two people about each other;
# and how it hands them over to each other at its end ("I'll leave you to it", "je vous laisse").
MUTUAL = {
    "handing over": (
        "i'll leave you", "i will leave you", "take it from here", "over to you", "i'll let you take it",
        "je vous laisse", "os dejo", "les dejo", "los dejo", "las dejo", "überlasse euch", "überlasse ihnen",
        "überlasse ich euch",
        "überlasse ich ihnen", "vi lascio", "deixo vocês", "deixo com vocês", "agora é com vocês", "ik laat jullie",
        "laat ik jullie", "lämnar er", "över till er", "ta det vidare", "overlater til dere", "overlader til jer",
        "zostawiam was", "pozostawiam państwu", "zostawiam wam", "оставляю вас", "дальше вы сами", "nechám vás",
        "nechávám na vás", "sizi baş başa", "gerisi sizde", "あとはお二人", "剩下的交给你们", "이후는 두 분",
    ),
    # "You three", "all four of you": a group introduction speaks to them by their number.
    "by number": (
        "you three", "you four", "the three of you", "the four of you", "all four of you", "ihr drei", "ihr vier",
        "euch drei", "euch dreien", "euch vier", "euch vieren", "vous trois", "vous quatre", "tous les trois",
        "tous les quatre", "ustedes tres", "ustedes cuatro", "vosotros tres", "los tres", "los cuatro", "las tres",
        "voi tre", "voi quattro", "tutti e tre", "vocês três", "vocês quatro", "os três", "jullie drie",
        "jullie vieren", "wy troje", "was troje", "was czworo", "wam trojgu", "вы трое", "вас троих", "вам троим",
        "вас четверых", "вам четверым", "втроём", "втроем", "вчетвером", "ви троє", "вас трьох", "вам трьом",
        "вас чотирьох", "вам чотирьом", "втрьох", "вчотирьох", "ni tre", "er tre", "dere tre", "i tre",
        "te kolme", "üçünüz", "üçünüzü", "dördünüz", "εσείς οι τρεις", "三位", "四位", "你们三位", "你們三位",
        "お三方", "세 분", "네 분", "kalian bertiga", "kalian berempat", "ba bạn", "kayong tatlo",
    ),
    "tl": ("kayong dalawa", "kayo ni", "kayong lahat", "isa't isa"),
    "you should": (
        "ni borde", "dere burde", "dere bør", "i burde", "i bør", "ihr solltet", "jullie moeten eens",
        "jullie zouden eens", "dovreste", "deberíais", "deberían hablar", "vocês deveriam", "vocês precisam",
        "vous devriez", "powinniście", "вам стоит", "вам нужно", "teidän kannattaa", "érdemes lenne",
        "tienen que hablar", "tienen que conocerse", "tenéis que hablar", "tenéis que conoceros", "你们应该",
        "你們應該", "vocês têm que", "vocês tem que", "dovete conoscervi", "ihr müsst euch", "jullie moeten",
    ),
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
    # Arabic says "you two" with a dual ending on the verb: "I introduce you two", "I leave you two".
    "ar": ("كلاكما", "أنتما", "بعضكما", "لبعضكما", "أعرفكما", "أعرّفكما", "أقدمكما", "أقدّمكما", "أترككما",
           "لتتواصلا", "تتعارفا", "تتعرفا"),
    "he": ("שניכם", "שתיכן", "אחד את השני", "זה את זה"),
    "fa": ("شما دو نفر", "همدیگر"),
    "hi": ("आप दोनों", "तुम दोनों", "एक-दूसरे", "एक दूसरे"),
    "id": ("kalian berdua", "anda berdua", "satu sama lain"),
    "ms": ("kamu berdua", "anda berdua", "satu sama lain"),
    "vi": ("hai bạn", "hai anh", "hai chị", "hai người", "lẫn nhau"),
    "th": ("ทั้งสองท่าน", "ทั้งสองคน", "สองท่าน", "กันและกัน"),
    # Languages with a dual: its forms are "you two" by themselves.
    "sl": ("vaju", "vama", "vidva", "vedve", "drug drugega", "obema"),
    "ar_dual": ("بينكما", "منكما", "كليكما", "للآخر"),
    "ta": ("இருவரும்", "இருவரையும்", "ஒருவருக்கொருவர்"),
    "te": ("మీ ఇద్దరూ", "మీ ఇద్దరికీ", "ఒకరినొకరు"),
    "mr": ("तुम्ही दोघे", "एकमेकांना", "एकमेकांशी"),
    "ur": ("آپ دونوں", "ایک دوسرے"),
    "eu": ("elkarri", "elkarrekin", "biok", "bioi"),
    "gl": ("vós dous", "os dous"),
    "is": ("ykkur tvö", "þið tvö", "hvort annað", "hvor annan"),
    "cy": ("chi'ch dau", "eich dau", "eich gilydd"),
    "sq": ("ju të dy", "njëri-tjetrin"),
    "mk": ("вие двајца", "еден со друг", "меѓусебно"),
    "hy": ("երկուսդ", "միմյանց", "իրար"),
    "ka": ("ორივეს", "ერთმანეთს", "ერთმანეთი"),
    "af": ("julle twee", "julle albei", "mekaar"),
    "az": ("ikiniz", "bir-birinizi", "bir-birinizlə"),
    "sw": ("ninyi wawili", "nyinyi wawili", "mtafahamiana"),
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
    r"(?:谢谢|謝謝|感谢|感謝|多谢|多謝).{0,12}(?:介绍|介紹|引荐|引薦|牵线|牽線|搭线|搭線|引见|引見)",
    # Not "ご紹介させていただきます", the humble "allow me to introduce".
    r"(?:紹介|引き合わせ|お繋ぎ|おつなぎ)(?:して|を)?(?:いただき|頂き)|(?:紹介|引き合わせ|お繋ぎ|おつなぎ)[^。！\n]{0,12}"
    r"(?:ありがとう|感謝)",
    r"소개.{0,12}(?:감사|고맙)",
    r"(?:شكرا|شكراً).{0,20}(?:التعارف|التعريف|تعريفي|تقديمي)",
    r"תודה.{0,20}(?:ההיכרות|שהכרת|שחיברת)",
)

# Against: a product or company announcing something new ("introducing our new plan"), or
# selling one ("I'd love to introduce you to our platform in a quick demo").
ANNOUNCING = {
    "en": ("introducing our", "we're introducing", "we are introducing", "we have introduced", "we've introduced",
           "we introduced", "introducing the new", "new feature", "new features", "new pricing", "new plan",
           "our new product", "product update", "release notes", "now available", "we're launching", "we are launching",
           "launching today",
           "our platform", "our product", "our solution", "our software", "quick demo",
           "short demo", "minute demo", "book a demo", "schedule a demo", "free trial", "book a call", "book time",
           "rather not hear from me", "unsubscribe", "opt out of"),
    "de": ("wir stellen vor", "neues produkt", "unsere plattform", "unser produkt", "unsere lösung",
           "unsere software", "kurze demo", "kostenlose testversion", "abmelden"),
    "fr": ("nous lançons", "nouvelle fonctionnalité", "notre plateforme", "notre produit", "notre solution",
           "notre logiciel", "courte démo", "essai gratuit", "se désinscrire", "désabonner"),
    "es": ("presentamos nuestro", "presentamos nuestra", "nuevo plan", "nuestra plataforma", "nuestro producto",
           "nuestra solución", "nuestro software", "breve demo", "prueba gratuita", "darse de baja", "darte de baja"),
    "it": ("la nostra piattaforma", "il nostro prodotto", "la nostra soluzione", "il nostro software",
           "breve demo", "prova gratuita", "disiscriversi", "annullare l'iscrizione"),
    "pt": ("nossa plataforma", "nosso produto", "nossa solução", "nosso software", "demonstração rápida",
           "breve demonstração", "teste grátis", "teste gratuito", "descadastrar"),
    "nl": ("ons platform", "ons product", "onze oplossing", "onze software", "korte demo", "gratis proefperiode",
           "afmelden"),
    "pl": ("naszą platformę", "naszej platformy", "nasz produkt", "naszego produktu", "nasze rozwiązanie",
           "krótkie demo", "darmowy okres próbny", "wypisać się"),
    "ru": ("нашу платформу", "наш продукт", "наше решение", "короткое демо", "бесплатный пробный",
           "отписаться"),
    "tr": ("ürünümüz*", "platformumuz*", "çözümümüz*", "yazılımımız*", "kısa bir demo", "ücretsiz deneme"),
    "sv": ("vår plattform", "vår produkt", "vår lösning", "kort demo", "gratis provperiod"),
    "ja": ("新機能", "弊社サービス", "弊社製品", "新製品", "デモのご案内", "無料トライアル"),
    "zh": ("新功能", "出新", "我们的产品", "我们的平台", "新产品", "新品发布", "产品演示", "发布会", "免费试用"),
    "ko": ("저희 제품", "저희 플랫폼", "신제품", "무료 체험", "데모 신청"),
    "ar": ("منتجنا", "منصتنا", "حلولنا", "عرض توضيحي"),
}

# Against: the sender introducing themselves ("allow me to introduce myself"), not the
# people it is sent to, to each other.
INTRODUCING_ONESELF = {
    "en": ("introduce myself", "introducing myself", "a quick introduction of myself"),
    "de": ("mich vorstellen", "mich kurz vorstellen", "stelle mich"),
    "fr": ("me présenter", "je me présente"),
    "es": ("presentarme", "me presento"),
    "it": ("presentarmi", "mi presento"),
    "pt": ("me apresentar", "apresentar-me", "me apresento"),
    "nl": ("mij voorstellen", "mezelf voorstellen", "stel mij", "stel me"),
    "pl": ("przedstawić się", "przedstawię się"),
    "cs": ("představit se", "představím se"),
    "ru": ("представиться", "позвольте представиться"),
    "uk": ("представитися",),
    "tr": ("kendimi tanıtmak", "kendimi tanıtayım"),
    "sv": ("presentera mig",),
    "no": ("presentere meg",),
    "da": ("præsentere mig",),
    "fi": ("esittäytyä", "esittelen itseni"),
    "hu": ("bemutatkozni", "bemutatkozom"),
    "ro": ("să mă prezint",),
    "el": ("να συστηθώ",),
    "ja": ("自己紹介",),
    "zh": ("自我介绍", "自我介紹"),
    "ko": ("제 소개", "자기소개"),
    "vi": ("tự giới thiệu",),
    "id": ("memperkenalkan diri", "perkenalkan, saya"),
    "th": ("แนะนำตัว",),
    "ar": ("أقدم نفسي", "أعرفكم بنفسي"),
    "he": ("להציג את עצמי",),
    "hi": ("अपना परिचय",),
}

# Against: a meeting, an event or a plan among people who already work or meet together:
# its agenda, minutes, roles and tasks, or an invitation to attend. ("No agenda" is not one.)
MEETING = {
    "en": ("meeting agenda", "agenda for", "agenda:", "the agenda", "minutes of", "meeting minutes",
           "meeting notes", "action items", "kick-off", "kickoff meeting", "division of tasks", "split the tasks",
           "who does what", "who's doing what", "who is doing what", "roles and responsibilities",
           "you are invited to", "you're invited to",
           "invite you to attend", "please rsvp", "rsvp by", "confirm your attendance", "save the date",
           "dress code", "table is booked", "reservation is under"),
    "de": ("tagesordnung", "protokoll der", "aufgabenverteilung", "aufgaben verteilt", "rollenverteilung",
           "besprechung am", "einladung zur", "einladung zum", "um anmeldung", "teilnahme bestätigen",
           "tisch ist reserviert"),
    "fr": ("ordre du jour", "compte rendu", "répartition des tâches", "répartition des rôles", "réunion de",
           "la réunion", "vous êtes invités", "confirmer votre présence", "table est réservée"),
    "es": ("orden del día", "acta de la", "reparto de tareas", "reparto de roles", "la reunión", "reunión de",
           "reunión con", "están invitados", "estáis invitados", "confirmar asistencia", "confirmen su asistencia",
           "mesa reservada"),
    "it": ("ordine del giorno", "verbale della", "divisione dei compiti", "ripartizione dei compiti",
           "la riunione", "riunione di", "siete invitati", "confermare la presenza", "tavolo prenotato"),
    "pt": ("pauta da reunião", "ata da reunião", "divisão de tarefas", "divisão das tarefas", "a reunião",
           "reunião de", "reunião com", "estão convidados", "confirmar presença", "mesa reservada"),
    "nl": ("agenda van de", "notulen", "taakverdeling", "rolverdeling", "aftrap", "de vergadering",
           "vergadering van", "jullie zijn uitgenodigd", "aanwezigheid bevestigen", "tafel gereserveerd"),
    "pl": ("porządek obrad", "protokół ze spotkania", "podział zadań", "podział ról", "zebranie",
           "jesteście zaproszeni", "potwierdzić obecność"),
    "cs": ("program porady", "zápis z porady", "rozdělení úkolů", "rozdělení rolí", "porada"),
    "ru": ("повестка дня", "протокол встречи", "распределение задач", "распределение ролей", "совещание",
           "приглашаем вас на", "подтвердите участие"),
    "uk": ("порядок денний", "розподіл завдань", "нарада", "запрошуємо вас на", "підтвердіть участь"),
    "sv": ("dagordning", "mötesprotokoll", "rollfördelning", "uppgiftsfördelning", "ni är inbjudna"),
    "no": ("dagsorden", "referat fra møtet", "rollefordeling", "oppgavefordeling", "dere er invitert"),
    "da": ("dagsorden", "mødereferat", "rollefordeling", "opgavefordeling", "i er inviteret"),
    "fi": ("esityslista", "pöytäkirja", "työnjako", "roolijako", "olette tervetulleita"),
    "tr": ("toplantı gündemi", "toplantı tutanağı", "görev dağılımı", "iş bölümü", "toplantıda",
           "katılımınızı teyit"),
    "el": ("ημερήσια διάταξη", "πρακτικά της", "κατανομή εργασιών", "η συνάντηση", "είστε προσκεκλημένοι"),
    "hu": ("napirend", "jegyzőkönyv", "feladatmegosztás", "feladatok elosztása", "értekezlet"),
    "ja": ("議題", "議事録", "役割分担", "分担", "打ち合わせ", "会議", "ご出席", "ご招待"),
    "zh": ("议程", "議程", "会议纪要", "會議紀要", "分工", "会议", "會議", "彩排", "邀请您参加", "邀請您參加"),
    "ko": ("회의록", "안건", "역할 분담", "업무 분담", "회의", "초대합니다", "참석 여부"),
    "ar": ("جدول الأعمال", "محضر الاجتماع", "توزيع المهام", "الاجتماع", "دعوتكم لحضور", "دعوتكما لحضور",
           "لحضور", "تأكيد الحضور"),
    "he": ("סדר היום", "פרוטוקול", "חלוקת תפקידים", "חלוקת משימות", "הישיבה", "מוזמנים ל"),
    "hi": ("कार्यसूची", "बैठक", "कार्य विभाजन"),
    "id": ("agenda rapat", "notulen", "pembagian tugas", "rapat", "mengundang anda"),
    "vi": ("chương trình họp", "biên bản", "phân công", "cuộc họp", "trân trọng kính mời"),
    "th": ("วาระการประชุม", "รายงานการประชุม", "แบ่งงาน", "การประชุม", "ขอเชิญ"),
}

# Against: the people it is sent to have met already ("now that you two have met"). Only
# forms that say so outright: an introduction may wonder "if you already know each other".
ALREADY_MET = {
    "en": ("now that you've met", "now that you have met", "now that you two have met", "now that you've both met",
           "now that you know each other", "since you've met", "since you have met",
           "since you already know each other", "as you already know each other", "you finally met",
           "you two finally met", "glad you two met", "glad you both met", "great that you met"),
    "es": ("ahora que os conocéis", "ahora que se conocen", "ya que os habéis conocido", "ya que se conocieron",
           "ahora que ya se conocieron", "ahora que os habéis conocido", "por fin os habéis conocido",
           "por fin se conocieron", "como ya os conocéis", "como ya se conocen"),
    "pt": ("agora que vocês se conheceram", "agora que se conhecem", "já que vocês se conheceram",
           "como vocês já se conhecem", "finalmente se conheceram"),
    "fr": ("maintenant que vous vous connaissez", "maintenant que vous vous êtes rencontrés",
           "puisque vous vous êtes rencontrés", "puisque vous vous connaissez", "vous vous êtes enfin rencontrés",
           "comme vous vous connaissez déjà"),
    "de": ("ihr kennt euch ja schon", "ihr kennt euch ja bereits", "sie kennen sich ja bereits",
           "nachdem ihr euch kennengelernt habt", "jetzt, wo ihr euch kennt", "jetzt wo ihr euch kennt",
           "da ihr euch ja schon kennt", "nachdem sie sich kennengelernt haben"),
    "it": ("ora che vi conoscete", "ora che vi siete conosciuti", "visto che vi siete conosciuti",
           "vi siete finalmente conosciuti", "dato che vi conoscete già"),
    "nl": ("nu jullie elkaar kennen", "nu jullie elkaar ontmoet hebben", "nu jullie elkaar hebben ontmoet",
           "aangezien jullie elkaar al kennen"),
    "pl": ("skoro już się poznaliście", "teraz gdy się poznaliście", "teraz, kiedy się znacie", "skoro się znacie"),
    "cs": ("když už jste se seznámili", "teď když se znáte", "teď, když se znáte"),
    "sk": ("keď ste sa už zoznámili", "teraz, keď sa poznáte"),
    "ru": ("раз вы уже познакомились", "теперь, когда вы познакомились", "теперь когда вы знакомы",
           "раз вы уже знакомы"),
    "uk": ("тепер, коли ви познайомилися", "раз ви вже знайомі"),
    "sv": ("nu när ni har träffats", "nu när ni känner varandra", "eftersom ni redan känner varandra"),
    "no": ("nå som dere har møttes", "nå som dere kjenner hverandre", "siden dere allerede kjenner hverandre"),
    "da": ("nu hvor i har mødt hinanden", "nu hvor i kender hinanden", "da i allerede kender hinanden"),
    "fi": ("nyt kun olette tavanneet", "nyt kun tunnette toisenne", "koska tunnette jo toisenne"),
    "tr": ("artık tanıştığınıza göre", "tanıştığınıza göre", "madem tanıştınız"),
    "el": ("τώρα που γνωριστήκατε", "αφού γνωρίζεστε ήδη"),
    "hu": ("most, hogy megismerkedtetek", "most hogy megismerkedtetek", "mivel már ismeritek egymást"),
    "ro": ("acum că v-ați cunoscut", "acum ca v-ati cunoscut", "fiindcă vă cunoașteți deja"),
    "ja": ("お知り合いになったので", "もう面識があるので", "既にご面識がある"),
    "zh": ("既然你们已经认识", "既然你們已經認識", "你们已经见过面了", "你們已經見過面了"),
    "ko": ("이제 서로 아시니", "이미 서로 아시니"),
    "ar": ("بعد أن تعارفتما", "الآن وقد تعارفتما", "بما أنكما تعرفان بعضكما"),
    "he": ("עכשיו כשהכרתם", "מאחר שאתם כבר מכירים"),
    "id": ("sekarang kalian sudah saling kenal", "karena kalian sudah saling kenal"),
    "vi": ("giờ các bạn đã quen nhau", "vì các bạn đã quen nhau"),
    "hi": ("अब जब आप मिल चुके हैं", "चूंकि आप पहले से जानते हैं"),
}

# Someone copied only to be kept informed, who is not one of the people introduced.
FOR_INFORMATION = {
    "en": ("fyi", "for your information", "for visibility", "for your visibility", "for awareness", "for reference",
           "for the record", "no action needed", "no action required", "in the loop", "just so you know", "cc'ing",
           "copying in", "for info", "i'm copying", "i am copying", "i've copied", "i have copied", "cc'd",
           "copied here so",
           # Someone copied to help with the logistics, not introduced: an assistant.
           "my assistant", "my ea", "my pa", "executive assistant", "personal assistant", "my secretary",
           "office manager", "from my office", "help find a time", "help you find a time", "help with scheduling",
           "help schedule", "for scheduling", "with logistics", "will coordinate", "to coordinate", "marking"),
    "de": ("zur info", "zur information", "zur kenntnis", "nur zur info", "kein handlungsbedarf", "in kopie",
           "in cc", "zu ihrer information", "zu deiner information", "meine assistentin", "mein assistent"),
    "fr": ("pour info", "pour information", "pour ton information", "pour votre information", "en copie",
           "aucune action", "pour suivi", "je mets en copie", "je copie", "mon assistante", "mon assistant"),
    "es": ("para tu información", "para su información", "para tu conocimiento", "para su conocimiento",
           "en copia", "a título informativo", "para que esté al tanto", "para que estés al tanto", "copio a",
           "pongo en copia", "para que esté enterado", "para que esté enterada", "para que estés enterado",
           "para que estés enterada", "solo para que", "mi asistente"),
    "it": ("per conoscenza", "per informazione", "per tua informazione", "in copia", "p.c.", "metto in copia",
           "la mia assistente", "il mio assistente"),
    "pt": ("para conhecimento", "para sua informação", "para seu conhecimento", "em cópia", "só para informação",
           "apenas para informação", "para ficar a par",
           "minha assistente", "meu assistente"),
    "nl": ("ter info", "ter informatie", "ter kennisname", "in de cc", "in cc", "geen actie nodig",
           "mijn assistent", "mijn assistente"),
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
    "ja": ("ご参考まで", "参考までに", "ccにて", "ccで", "共有まで", "念のため", "cc に入れて", "秘書"),
    "zh": ("抄送", "供参考", "仅供参考", "知悉", "请知悉", "供您参考", "助理", "秘书"),
    "ko": ("참조로", "참고로", "참고용", "참조 드", "cc로"),
    "ar": ("للعلم", "للاطلاع", "للإحاطة", "نسخة للعلم", "في النسخة", "مدير مكتبي", "مديرة مكتبي", "سكرتيرتي",
           "سكرتيري", "مساعدتي", "مساعدي", "لتنسيق"),
    "he": ("לידיעה", "לידיעתך", "לידיעתכם", "בהעתק", "לעדכון"),
    "hi": ("जानकारी के लिए", "सूचना के लिए", "कॉपी में", "सीसी में"),
    "id": ("sebagai informasi", "untuk informasi", "sebagai tembusan", "untuk diketahui", "asisten saya",
           "sekretaris saya"),
    "tl": ("naka-cc", "naka cc", "assistant ko", "sekretarya ko", "para sa kaalaman"),
    "ms": ("untuk makluman", "sebagai makluman"),
    "vi": ("để biết", "để nắm thông tin", "đồng gửi", "để nắm được"),
    "th": ("เพื่อทราบ", "สำเนาถึง", "เพื่อโปรดทราบ"),
}

# Hebrew, Arabic, Thai, Lao, Burmese, Khmer, Hangul, kana, CJK.
_UNSPACED = re.compile(r"[\u0590-\u06ff\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff"
                       r"\uac00-\ud7af\uf900-\ufaff]")


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
