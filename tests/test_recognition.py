"""The rules recognition weighs (inbound/understanding/recognition.py), each on a message
written for it: what makes words of introducing count in full, who is spoken to, what
speaks against an introduction. The labelled sets (test_accuracy.py) measure them together."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from inbound.understanding.classify import classify
from inbound.understanding.parse import parse
from inbound.understanding.recognition import SOME_WORDS, WORDS, weigh
from intro.addresses import Address
from intro.meaning import Meaning

SERVICE = ("intro@tally.example",)
DANA = Address("dana@example.net", "Dana Whitfield")
LEE = Address("lee@example.org", "Lee Okafor")


def understood(body: str, subject: str = "Hello", to: str = "Dana Whitfield <dana@example.net>, "
               "Lee Okafor <lee@example.org>", sender: str = "Sam Reyes <sam@example.com>",
               cc: str = "intro@tally.example", **headers: str) -> Meaning:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Cc"] = cc
    message["Subject"] = subject
    message["Message-ID"] = "<r1@example.com>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return classify(parse(message.as_bytes()), ["intro@tally.example"], SERVICE, "sam@example.com")


def weight_of_words(body: str) -> float:
    found = weigh(body, "Hello", (DANA, LEE))
    return sum(float(e.split()[0]) for e in found.evidence if "words" in e and "introduc" in e)


def test_words_of_introducing_count_in_full_when_aimed_at_one_of_them() -> None:
    assert weight_of_words("Hi both,\n\nI'd love to introduce you to Lee, who runs the design team.\n") == WORDS


def test_words_of_introducing_aimed_at_something_else_count_less() -> None:
    body = ("Hi Dana and Lee,\n\nWe build onboarding software for support teams.\n\n"
            "I'd love to introduce you to the platform in a quick call next week.\n")
    assert weight_of_words(body) == SOME_WORDS


def test_you_two_aims_the_words_at_them_all() -> None:
    assert weight_of_words("Hi,\n\nI wanted to introduce you two, as promised on Friday.\n") == WORDS


def test_a_sales_pitch_to_two_prospects_is_not_an_introduction() -> None:
    said = understood("Hi Dana and Lee,\n\nI'm the co-founder of Handoffly. I'd love to introduce you to our "
                      "platform in a quick 15-minute demo. Would Tuesday work?\n\nBest,\nTyler\n",
                      subject="Quick question")
    assert said.kind == "other" and said.ask


def test_a_role_split_among_colleagues_is_not_an_introduction() -> None:
    said = understood("Hoi allemaal,\n\nDana neemt het ontwerp voor haar rekening, Lee de backend. Ik doe de "
                      "projectleiding.\n\nTaakverdeling voor de aftrap volgt morgen.\n\nGroet,\nSam\n",
                      subject="Aftrap project")
    assert said.kind == "other"


def test_a_meeting_word_in_the_subject_counts_against() -> None:
    found = weigh("Dana will present the roadmap. Lee will take notes.\n", "Thursday review: who's doing what",
                  (DANA, LEE))
    assert any("meeting" in e for e in found.evidence)


@pytest.mark.parametrize("line", ["Dana, meet Lee.", "Dana: Lee is the person I mentioned.",
                                  "Dana Whitfield — Lee runs the lab I told you about.", "Dana、Leeさんです。"])
def test_one_of_them_spoken_to_and_told_about_another(line: str) -> None:
    found = weigh(f"Hi,\n\n{line}\n", "Hello", (DANA, LEE))
    assert any("tells one of them about another" in e for e in found.evidence), found.evidence


def test_a_sentence_about_one_of_them_that_names_another_is_not_told_about() -> None:
    found = weigh("Hi,\n\nDana does the design, Lee the backend.\n", "Hello", (DANA, LEE))
    assert not any("tells one of them" in e for e in found.evidence)


def test_japanese_humble_introducing_is_not_thanks() -> None:
    found = weigh("田中様\n\nこの度、鈴木様をご紹介させていただきます。お二人でぜひお話しください。\n", "ご紹介",
                  (Address("tanaka@example.net", "田中 一郎"), Address("suzuki@example.org", "鈴木 花子")))
    assert not any("thanks" in e for e in found.evidence), found.evidence


def test_a_team_list_address_is_not_a_person_introduced() -> None:
    said = understood("Hola a todos:\n\nOs presento a Lee Okafor, que se incorpora hoy al equipo.\n",
                      to="Equipo Ventas <equipo-ventas@example.org>, Lee Okafor <lee@example.org>")
    assert said.kind == "other"
    assert "equipo-ventas@example.org" not in [p.email for p in said.parties]


def test_an_assistant_copied_to_help_schedule_is_not_introduced() -> None:
    said = understood("Dana, Lee —\n\nI'm delighted to introduce you. Dana chairs our audit committee; Lee is "
                      "weighing a CFO role.\n\nI've copied Marta, my assistant, who is happy to help find a time.\n",
                      to="Dana Whitfield <dana@example.net>, Lee Okafor <lee@example.org>, "
                      "Marta Vidal <marta@example.com>")
    assert said.kind == "introduction"
    assert [p.email for p in said.parties] == ["dana@example.net", "lee@example.org"]


def test_a_reply_presenting_a_product_inside_an_introductions_thread_is_a_reply() -> None:
    said = understood("Sehr geehrte Frau Whitfield,\n\nvielen Dank an Herrn Reyes für die freundliche "
                      "Vorstellung. Gerne würde ich Ihnen unsere Plattform in einem kurzen Termin vorstellen.\n",
                      subject="AW: Vorstellung: Dana / Lee", In_Reply_To="<intro@example.com>")
    assert said.kind != "introduction"


def test_a_reply_that_introduces_someone_new_is_an_introduction() -> None:
    said = understood("Adding Lee here, as promised: Dana, let me introduce Lee Okafor, who ran payments at "
                      "Northwind for six years.\n", subject="Re: payments question", In_Reply_To="<q@example.com>")
    assert said.kind == "introduction"


@pytest.mark.parametrize(("body", "names"), [
    ("Привет!\n\nДмитрий, знакомься: Анна. Анна ведёт продажи в Казани. Дмитрий ищет партнёров там.\n",
     ("Dmitry Ivanov", "Anna Petrova")),
    ("नमस्ते,\n\nरोहित जी, ये सुनीता जी हैं। सुनीता जी जयपुर में काम करती हैं।\n", ("Rohit Gupta", "Sunita Verma")),
    ("Γεια σας,\n\nΓιώργο, από εδώ η Ελένη. Η Ελένη είναι αρχιτέκτονας.\n", ("Giorgos Oikonomou", "Eleni Kosta")),
])
def test_names_in_latin_letters_are_found_in_other_scripts(body: str, names: tuple[str, str]) -> None:
    people = (Address("one@example.net", names[0]), Address("two@example.org", names[1]))
    found = weigh(body, "Hello", people)
    assert "+1.5 names all 2 of them in the text" in found.evidence, found.evidence


@pytest.mark.parametrize(("text", "person"), [
    ("Kasia prowadzi laboratorium w Gdańsku.", Address("k.wojcik@example.com", "Katarzyna Wójcik")),
    ("Саша наладил перевозки в Алматы.", Address("a.volkov@example.com", "Александр Волков")),
    ("Bob runs the plant in Ohio.", Address("rsmith@example.com", "Robert Smith")),
    ("Flor arma juegos para enseñar matemática.", Address("fg@example.com", "Florencia Giménez")),
    ("李总在深圳做智能硬件。", Address("liming@example.com", "李明")),
    ("김 대표님은 물류 회사를 운영하십니다.", Address("mj.kim@example.com", "김민준")),
    ("أرى أن وسارة مهتمة بالموضوع.", Address("sara@example.com", "سارة الحربي")),
    ("Саше сейчас как раз нужен такой человек.", Address("a.volkov@example.com", "Саша Волков")),
])
def test_a_person_is_found_by_what_people_call_them(text: str, person: Address) -> None:
    from inbound.understanding.folding import fold
    from inbound.understanding.names import forms_of, mentions, shortened
    forms = shortened(forms_of(person), text)
    assert any(mentions(fold(text), form) for form in forms), sorted(forms)


def test_a_capitalised_word_written_in_lower_case_elsewhere_is_not_a_short_name() -> None:
    from inbound.understanding.names import forms_of, shortened
    person = Address("william@example.com", "Wilhelmina Ort")
    assert "wil" not in shortened(forms_of(person), "Wil you send it? I wil.")
    assert "wil" in shortened(forms_of(person), "Wil, meet Dana.")


def test_two_arabic_letters_are_no_name() -> None:
    from inbound.understanding.folding import fold
    from inbound.understanding.names import forms_of, mentions
    person = Address("t.benali@example.org", "طارق بن علي")
    assert not any(mentions(fold("مقدمة في تحليل البيانات بنجاح"), form) for form in forms_of(person))


def test_the_sender_introducing_themselves_is_not_an_introduction() -> None:
    said = understood("Dear Dana and Lee,\n\nAllow me to introduce myself: I run sales at CleanWave. Could we talk "
                      "for 20 minutes next week?\n\nBest,\nKhoa\n")
    assert said.kind == "other"
    assert any("introduces themselves" in e for e in said.evidence)


def test_people_all_at_one_organisation_weigh_against() -> None:
    found = weigh("Hi Dana and Lee,\n\nI'd love to introduce you both to Flowdesk.\n", "Hello",
                  (Address("dana@harborview.example"), Address("lee@harborview.example")))
    assert any("all of them at harborview.example" in e for e in found.evidence)
    assert any("none of them named near" in e for e in found.evidence)
    webmail = weigh("Hi,\n", "Hello", (Address("dana@gmail.com"), Address("lee@gmail.com")))
    assert not any("all of them at" in e for e in webmail.evidence)


def test_a_shared_inbox_with_a_persons_name_is_a_person() -> None:
    said = understood("Hi all,\n\nIntroducing three people who should know each other. Tavita runs the food lab; "
                      "Dana funds cold storage; Lee designs cold rooms.\n",
                      to="Dana Whitfield <dana@example.net>, Lee Okafor <lee@example.org>, "
                      "Tavita Faleolo <hello@foodlab.example>")
    assert "hello@foodlab.example" in [p.email for p in said.parties]
    team = understood("Hola a todos:\n\nOs presento a Lee Okafor.\n",
                      to="Marketing <marketing@example.org>, Lee Okafor <lee@example.org>")
    assert "marketing@example.org" not in [p.email for p in team.parties]


def test_a_reply_that_brings_someone_new_in_and_tells_them_about_another_is_an_introduction() -> None:
    said = understood("Hi Sunita,\n\nThe person you want for this is Élodie, who I've just added. She runs our "
                      "customs team.\n\nÉlodie, Sunita is the founder of Maplebox; her questions are below.\n\n"
                      "I'll let the two of you find a time.\n\nGraham\n\n"
                      "On Tue, Mar 10, 2026 at 2:17 PM Sunita Rao <sunita@maplebox.example> wrote:\n"
                      "> Hi Graham, any pointers on shipping to the US?\n",
                      subject="Re: Cross-border shipping", In_Reply_To="<q@maplebox.example>",
                      to="Sunita Rao <sunita@maplebox.example>, Élodie Gagnon <elodie@freight.example>")
    assert said.kind == "introduction", said.reason
    assert "elodie@freight.example" in said.reason


def test_a_reply_among_people_already_in_the_thread_is_not_an_introduction() -> None:
    said = understood("Dana, Lee is right: Tuesday works.\n\n"
                      "On Tue, Mar 10, 2026 Lee Okafor <lee@example.org> wrote:\n> Dana, shall we say Tuesday?\n"
                      "> On Mon, Sam Reyes wrote:\n>> Dana Whitfield, meet Lee Okafor.\n",
                      subject="Re: Dana <> Lee", In_Reply_To="<q@example.org>")
    assert said.kind != "introduction"


def test_a_catalan_outlook_forward_gives_its_people() -> None:
    from inbound.understanding.forwarded import find_forwarded
    found = find_forwarded("Us el reenvio.\n\nDe: Jordi Puig <jordi@example.com>\nEnviat el: dimecres, 1 d'abril\n"
                           "Per a: Marta Soler <marta@example.org>; Pau Ferrer <pau@example.net>\n"
                           "Assumpte: Marta i Pau\n\nHola Marta, hola Pau,\n")
    assert found is not None
    assert [a.email for a in found.to] == ["marta@example.org", "pau@example.net"]


def test_the_two_spoken_to_in_turn_is_the_shortest_introduction() -> None:
    said = understood("Cilla, Dev. Dev, Cilla.\n\nYou're solving the same problem from opposite ends.\n\nNate\n",
                      to="Priscilla Moreau <priscilla@example.net>, Devendra Patel <dev@example.org>")
    assert said.kind == "introduction", said.evidence
    once = understood("Cilla, Dev.\n\nThe slides are attached; see you Tuesday.\n",
                      to="Priscilla Moreau <priscilla@example.net>, Devendra Patel <dev@example.org>")
    assert once.kind != "introduction"


def test_a_name_cut_at_the_start_is_found_but_not_a_word_written_in_lower_case() -> None:
    from inbound.understanding.names import forms_of, shortened
    person = Address("p.moreau@example.com", "Priscilla Moreau")
    assert "cilla" in shortened(forms_of(person), "Cilla runs the lab.")
    assert "cilla" not in shortened(forms_of(person), "Cilla is a word here, and cilla is too.")


def test_someone_copied_for_information_is_found_under_a_declined_name() -> None:
    said = understood("Ahoj Zuzka, dobrý deň pán Horváth,\n\ndovoľte mi, aby som Vás prepojil. Zuzka vedie tím "
                      "platieb, pán Horváth má na starosti API pre partnerov.\n\n"
                      "Jána dávam do kópie len pre informáciu.\n\nMartin\n",
                      to="Zuzana Balážová <zuzana@example.net>, Peter Horváth <peter@example.org>",
                      cc="Ján Šimko <jan@example.com>, intro@tally.example")
    assert said.kind == "introduction", said.evidence
    assert [p.email for p in said.parties] == ["peter@example.org", "zuzana@example.net"]


def test_people_who_have_met_already_are_not_introduced() -> None:
    said = understood("¡Hola a los dos!\n\nYa que por fin os habéis conocido, ¿lo celebramos con una cena?\n\n"
                      "Os presento el plan: jueves a las 21:00. Yo reservo para tres.\n\nÁlvaro\n")
    assert said.kind == "other"
    assert any("met already" in e for e in said.evidence)
    wondering = understood("Hi Dana and Lee,\n\nI'm not sure if you already know each other, so let me "
                           "introduce you: Dana runs ops at Brightside; Lee is a logistics consultant.\n")
    assert wondering.kind == "introduction"


def test_a_reply_quoting_an_introduction_without_its_words_is_a_reply() -> None:
    said = understood("Danke dir, Lena!\n\nHallo Jonas, freut mich. Passt es dir Dienstag?\n\nMira\n\n"
                      "Von: Lena Hoffmann <lena@example.net>\nGesendet: Dienstag, 10. März 2026 16:31\n"
                      "An: Jonas Brandt <jonas@example.org>; Mira Öztürk <mira@example.com>\n"
                      "Betreff: Kennt ihr euch schon?\n\nHallo ihr zwei,\n\nJonas baut Schweißroboter für "
                      "kleine Serien, Mira modernisiert die Fertigung der Werft.\n\nMira, Jonas ist der, von dem "
                      "ich dir erzählt habe.\n\nLena\n",
                      subject="AW: Kennt ihr euch schon?", In_Reply_To="<k@example.net>",
                      sender="Mira Öztürk <mira@example.com>",
                      to="Lena Hoffmann <lena@example.net>, Jonas Brandt <jonas@example.org>")
    assert said.kind == "reply", said.reason


def test_every_word_list_is_a_tuple_of_phrases() -> None:
    from inbound.understanding import lexicon
    for table in (lexicon.INTRODUCING, lexicon.MUTUAL, lexicon.THANKS, lexicon.ANNOUNCING, lexicon.MEETING,
                  lexicon.FOR_INFORMATION, lexicon.INTRODUCING_ONESELF):
        for language, phrases in table.items():
            assert isinstance(phrases, tuple) and all(isinstance(p, str) and len(p) > 1 for p in phrases), language
