"""Mail domains shared by many unrelated people: two addresses at one of them say nothing
about working together. Two at any other domain are likely colleagues.

The documentation domains of RFC 2606 and RFC 6761 (example.com, example.net,
example.org) are in the list: in examples and tests they stand for any domain, a
webmail provider as much as an employer.
"""

from __future__ import annotations

PUBLIC = frozenset((
    "example.com", "example.net", "example.org",
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
    "rocketmail.com", "aol.com", "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com", "pm.me",
    "fastmail.com", "fastmail.fm", "zoho.com", "zohomail.com", "mail.com", "gmx.com", "gmx.net", "gmx.de", "gmx.at",
    "gmx.ch", "web.de", "t-online.de", "freenet.de", "posteo.de", "mailbox.org", "tutanota.com", "tuta.io",
    "hey.com", "hotmail.co.uk", "hotmail.fr", "hotmail.de", "hotmail.it", "hotmail.es", "outlook.fr", "outlook.de",
    "outlook.es", "live.co.uk", "live.fr", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "yahoo.es", "yahoo.it",
    "yahoo.com.br", "yahoo.co.jp", "yahoo.co.in", "yahoo.com.ar", "yahoo.com.mx", "btinternet.com", "sky.com",
    "orange.fr", "free.fr", "laposte.net", "sfr.fr", "wanadoo.fr", "libero.it", "virgilio.it", "tiscali.it",
    "alice.it", "terra.com.br", "uol.com.br", "bol.com.br", "ig.com.br", "telefonica.net", "movistar.es",
    "seznam.cz", "centrum.cz", "email.cz", "wp.pl", "o2.pl", "onet.pl", "interia.pl", "op.pl", "mail.ru",
    "bk.ru", "inbox.ru", "list.ru", "yandex.ru", "yandex.com", "ya.ru", "rambler.ru", "ukr.net", "i.ua", "abv.bg",
    "freemail.hu", "citromail.hu", "qq.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn", "sohu.com",
    "aliyun.com", "foxmail.com", "naver.com", "daum.net", "hanmail.net", "nate.com", "docomo.ne.jp", "ezweb.ne.jp",
    "softbank.ne.jp", "rediffmail.com", "rediff.com", "walla.co.il", "bezeqint.net", "hotmail.com.tr",
    "mynet.com", "windowslive.com", "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "cox.net",
    "shaw.ca", "rogers.com", "bigpond.com", "optusnet.com.au", "xtra.co.nz",
))
