#!/usr/bin/env python3
"""Regenerates tests/fixtures/scripts/: one raw news page per script and
encoding, plus expected.json, which tests/scripts.rs checks them against.

Every article text below was written for this project (no third-party text).
Each is wrapped in a page template with navigation, share links, a related
list and a footer, then encoded to bytes in the target encoding. The charset
is declared in the content_type sent with the page, or only in the page
(<meta charset> or http-equiv), or nowhere (the pipeline must detect it).

Run from anywhere: python3 scripts/make-script-fixtures.py
"""
import json
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
out_dir = root / "tests/fixtures/scripts"

# ---------------------------------------------------------------------------
# Article texts, by key: (headline, [paragraphs]).

TEXTS = {
    "zh-metro": ("地铁五号线南延段开通运营", [
        "本市地铁五号线南延段今天上午正式开通运营，沿线居民从此可以乘坐地铁直达市中心。",
        "新开通的线路全长十二公里，共设八座车站，其中三座为换乘站。首班车于早上六点从南湖站发出。",
        "市交通部门负责人表示，延长线开通后，预计每天将分担约十五万人次的客流，周边道路的拥堵情况也将有所缓解。",
        "不少市民一早就赶来体验。一位在车站等候的退休教师说，以前进城要换两次公交车，现在只需要二十多分钟。",
    ]),
    # 䶮 (U+4DAE, CJK extension A) is outside GBK: GB18030 writes it in four bytes.
    "zh-grain": ("全省秋粮收购全面展开", [
        "今年秋季粮食收购工作已在全省全面展开，各地粮库正加紧准备仓容和烘干设备。",
        "省粮食和物资储备局介绍，今年全省秋粮播种面积保持稳定，主要产区光照充足，玉米和水稻长势良好，预计总产量将比去年略有增加。",
        "为方便农民售粮，不少收购点延长了营业时间，并推出手机预约服务，减少排队等待。",
        "农业专家王䶮提醒，农民在出售前要把粮食晒干扬净，以免因水分过高而影响收购价格。",
    ]),
    "ja-sakura": ("市内で桜が開花", [
        "気象台は二十日、市内で桜が開花したと発表しました。平年より五日早く、去年より三日早い開花です。",
        "公園にある標本木では、午前十時ごろ、気象台の職員が五つ以上の花が咲いているのを確認しました。",
        "満開は来週の半ばになる見込みで、公園の周辺では花見客のための臨時の駐車場が用意されます。",
        "市の担当者は「ごみは必ず持ち帰り、夜は静かに楽しんでほしい」と話しています。",
    ]),
    "ja-train": ("鉄道会社が新型車両を導入へ", [
        "地元の鉄道会社は、来年春から新しい車両を導入すると発表しました。古い車両の置き換えは約三十年ぶりです。",
        "新しい車両は座席の幅が広くなり、車いすやベビーカーのためのスペースも設けられます。",
        "会社によりますと、消費電力は今の車両に比べて四割ほど少なくなるということです。",
        "沿線の住民からは「通勤が快適になりそうだ」と期待する声が上がっています。",
    ]),
    "ko-fireworks": ("강변 불꽃축제에 백만 명 몰릴 듯", [
        "시는 올해 가을 강변공원에서 열리는 불꽃축제에 약 백만 명의 시민이 찾을 것으로 예상한다고 밝혔다.",
        "축제 당일에는 공원 주변 도로가 오후 두 시부터 통제되며, 지하철은 평소보다 자주 운행된다.",
        "시 관계자는 안전사고를 막기 위해 경찰과 소방 인력 이천여 명을 현장에 배치할 계획이라고 말했다.",
        "주최 측은 관람객들에게 쓰레기를 되가져가 달라고 당부하고, 행사장 곳곳에 분리수거함을 설치하기로 했다.",
    ]),
    "ar-water": ("تشغيل محطة جديدة لتحلية مياه البحر", [
        "أعلنت وزارة الموارد المائية اليوم عن بدء تشغيل محطة جديدة لتحلية مياه البحر على الساحل الشمالي، بطاقة إنتاجية تبلغ مئتي ألف متر مكعب يومياً.",
        "وقال وزير الموارد المائية في مؤتمر صحفي إن المحطة ستوفر مياه الشرب لأكثر من نصف مليون نسمة في المدن والقرى المجاورة.",
        "وأضاف أن المشروع استغرق ثلاث سنوات من العمل، وشارك في تنفيذه نحو ألفي عامل ومهندس من أبناء المنطقة.",
        "ويأمل السكان أن يضع التشغيل الجديد حداً لانقطاع المياه المتكرر خلال أشهر الصيف.",
    ]),
    "ar-books": ("معرض الكتاب يستقبل زواره", [
        "افتتح معرض الكتاب السنوي أبوابه أمس بمشاركة أكثر من أربعمئة دار نشر من عشرين دولة عربية وأجنبية.",
        "ويضم المعرض هذا العام جناحاً خاصاً بكتب الأطفال، إلى جانب ندوات يومية يشارك فيها كتّاب وشعراء ونقاد.",
        "وقالت مديرة المعرض إن عدد الزوار في اليوم الأول تجاوز خمسة عشر ألف زائر، وهو رقم قياسي مقارنة بالأعوام السابقة.",
        "ويستمر المعرض حتى نهاية الشهر الجاري، ويفتح أبوابه من العاشرة صباحاً حتى العاشرة مساءً.",
    ]),
    "he-park": ("פארק חדש ייפתח בשכונת הדרום", [
        "עיריית העיר הודיעה היום כי הפארק החדש בשכונת הדרום ייפתח לציבור בחודש הבא, לאחר שלוש שנות עבודה.",
        "בפארק ישתרעו שטחי דשא גדולים, מגרשי משחקים לילדים ושביל אופניים באורך של ארבעה קילומטרים.",
        "לדברי ראש העירייה, הפרויקט עלה כשלושים מיליון שקלים, ורובו מומן על ידי משרד הפנים.",
        "תושבי השכונה אמרו כי הם מחכים לפתיחה כבר זמן רב, משום שבאזור לא היה עד היום שטח ירוק אחד.",
    ]),
    "he-heat": ("גל חום כבד צפוי עד סוף השבוע", [
        "השירות המטאורולוגי הזהיר הבוקר מפני גל חום כבד שצפוי להימשך עד סוף השבוע.",
        "הטמפרטורות באזורי השפלה יגיעו לארבעים מעלות, ובבקעת הירדן אף יותר מכך.",
        "משרד הבריאות קרא לציבור להרבות בשתיית מים, להימנע משהייה ממושכת בשמש ולא להשאיר ילדים ברכב.",
        "בעקבות החום הוחלט לקצר את יום הלימודים בבתי הספר ביום רביעי.",
    ]),
    # Persian spelling needs the zero-width non-joiner (U+200C): می‌گویند,
    # قیمت‌های, خانواده‌ها. The pipeline must keep every one of them.
    "fa-inflation": ("کاهش نرخ تورم برای سومین ماه پیاپی", [
        "بانک مرکزی روز دوشنبه اعلام کرد که نرخ تورم سالانه در ماه گذشته برای سومین ماه پیاپی کاهش یافته است.",
        "به گفته کارشناسان، ثبات نسبی بازار ارز و کاهش قیمت\u200cهای جهانی مواد غذایی از دلایل اصلی این کاهش بوده\u200cاند.",
        "با این حال، بسیاری از خانواده\u200cها می\u200cگویند که هزینه\u200cهای اجاره خانه و حمل\u200cونقل همچنان سنگین است.",
        "دولت وعده داده است که بسته\u200cهای حمایتی جدیدی را برای خانوارهای کم\u200cدرآمد تا پایان سال اجرا کند.",
    ]),
    "ru-embankment": ("Ремонт набережной продлится до конца следующего года", [
        "Городская администрация объявила о начале масштабного ремонта центральной набережной, который продлится до конца следующего года.",
        "По словам заместителя мэра, на набережной заменят освещение, проложат велосипедную дорожку и установят новые скамейки.",
        "На время работ часть пешеходной зоны будет закрыта, а маршруты автобусов изменятся. Подробная схема объездов опубликована на сайте администрации.",
        "Местные жители в целом поддержали проект, хотя некоторые опасаются, что шум и пыль помешают летнему туристическому сезону.",
    ]),
    "bg-schools": ("Нови компютри за всички училища", [
        "Министерството на образованието обяви, че от следващата учебна година всички училища ще получат нови компютри и интерактивни дъски.",
        "Според министъра програмата ще струва около сто милиона лева и ще бъде финансирана главно със средства от Европейския съюз.",
        "Учителите посрещнаха новината с одобрение, но припомниха, че много сгради все още се нуждаят от ремонт на покривите и отоплението.",
        "Първите доставки се очакват през септември, а обученията за преподавателите ще започнат още през лятото.",
    ]),
    # € and œ exist in ISO-8859-15 but not in ISO-8859-1.
    "fr-railway": ("La ligne ferroviaire des deux vallées rouvre", [
        "La région a annoncé mercredi la réouverture de la ligne ferroviaire entre les deux vallées, fermée depuis les inondations de l'hiver dernier.",
        "Les travaux de réparation du pont et des voies ont coûté près de quarante millions d'euros, financés en grande partie par l'État.",
        "Le prix du billet restera fixé à 4,50 € pour un aller simple, et les abonnés bénéficieront d'un mois gratuit pour compenser la fermeture.",
        "Les élus locaux se réjouissent de ce retour, qui devrait redonner du cœur à l'ouvrage aux commerçants des villages desservis.",
    ]),
    # „…“ are windows-1252 bytes 0x84 and 0x93 (C1 controls in ISO-8859-1).
    "de-heating": ("Stadtwerke senken die Preise für Fernwärme", [
        "Die Stadtwerke haben am Montag angekündigt, die Preise für Fernwärme zum Jahresbeginn um durchschnittlich acht Prozent zu senken.",
        "Grund seien die deutlich gefallenen Einkaufspreise für Gas, sagte ein Sprecher des Unternehmens. „Wir geben die Entlastung vollständig an unsere Kunden weiter“, betonte er.",
        "Ein Haushalt mit einer Wohnung von 80 Quadratmetern spart damit nach Berechnungen der Stadtwerke rund 120 Euro im Jahr.",
        "Verbraucherschützer begrüßten die Entscheidung, forderten aber zugleich mehr Transparenz bei der Gestaltung der Grundgebühren.",
    ]),
    "de-library": ("Neue Stadtbibliothek öffnet im Herbst", [
        "Die neue Stadtbibliothek am Marktplatz wird im Oktober eröffnet, teilte die Verwaltung am Freitag mit.",
        "Das Gebäude bietet auf drei Etagen Platz für mehr als hunderttausend Bücher, dazu kommen Lesesäle, ein Café und Räume für Schulklassen.",
        "Die Baukosten stiegen während der Bauzeit von zwölf auf fünfzehn Millionen Euro, vor allem wegen höherer Preise für Stahl und Glas.",
        "Bürgermeisterin Jäger sprach von einem Ort für alle Generationen, der die Innenstadt auch abends beleben solle.",
    ]),
    "pl-transport": ("Darmowa komunikacja miejska dla uczniów", [
        "Rada miasta zdecydowała we wtorek, że od przyszłego roku komunikacja miejska będzie bezpłatna dla uczniów szkół podstawowych i średnich.",
        "Według wyliczeń urzędników zmiana będzie kosztować budżet około sześciu milionów złotych rocznie. Źródłem pieniędzy ma być podwyżka opłat za parkowanie w śródmieściu.",
        "Radni opozycji krytykowali pośpiech, z jakim przygotowano uchwałę, ale ostatecznie większość z nich zagłosowała za.",
        "Pierwsze bezpłatne bilety elektroniczne uczniowie otrzymają we wrześniu, razem z legitymacjami szkolnymi.",
    ]),
    "cs-harvest": ("Sucho snížilo letošní sklizeň obilí", [
        "Ministerstvo zemědělství oznámilo, že letošní sklizeň obilí bude kvůli suchému jaru o desetinu nižší než loni.",
        "Nejvíce postižené jsou podle ministerstva oblasti jižní Moravy, kde v dubnu a květnu téměř nepršelo.",
        "Zemědělci žádají o mimořádnou podporu a upozorňují, že ceny hnojiv a nafty zůstávají vysoké. Ministr slíbil, že jejich žádost projedná vláda příští týden.",
        "Obchodníci zatím neočekávají výrazné zdražení pečiva, protože zásoby z loňského roku jsou dostatečné.",
    ]),
    "el-museum": ("Παράταση ωραρίου στον αρχαιολογικό χώρο", [
        "Το υπουργείο Πολιτισμού ανακοίνωσε ότι ο αρχαιολογικός χώρος θα παραμένει ανοιχτός για τους επισκέπτες έως τις οκτώ το βράδυ κατά τους καλοκαιρινούς μήνες.",
        "Η απόφαση ελήφθη μετά την αύξηση των τουριστών τον περασμένο χρόνο, όταν πολλοί περίμεναν για ώρες στην είσοδο κάτω από τον ήλιο.",
        "Παράλληλα, θα λειτουργήσει νέο σύστημα ηλεκτρονικών εισιτηρίων, ώστε οι επισκέπτες να επιλέγουν από πριν την ώρα της επίσκεψής τους.",
        "Οι εργαζόμενοι ζητούν την πρόσληψη επιπλέον φυλάκων για να καλυφθούν οι νέες βάρδιες.",
    ]),
    "el-alpha": ("Άνοιξε ο νέος παιδικός σταθμός", [
        "Άνοιξε χθες ο νέος δημοτικός παιδικός σταθμός της πόλης, που θα φιλοξενεί εκατόν είκοσι παιδιά.",
        "Όπως είπε ο δήμαρχος, το κτίριο κατασκευάστηκε με χρήματα από ευρωπαϊκά προγράμματα και κόστισε τρία εκατομμύρια ευρώ.",
        "Άλλοι δύο σταθμοί θα λειτουργήσουν μέσα στον επόμενο χρόνο, ώστε να μην μείνει κανένα παιδί σε λίστα αναμονής.",
    ]),
}

# Page furniture per language: menu items, share links, related heading and
# items, footer lines. All of it must be left out of the article.
CHROME = {
    "zh": (["首页", "国内", "国际", "财经", "体育"], ["分享", "微信", "微博"], "相关阅读",
           ["本市将新建三座公园", "春运客流创新高"], ["关于我们 | 联系我们 | 广告服务", "版权所有 © 2024 示例新闻网"]),
    "ja": (["ホーム", "社会", "経済", "スポーツ"], ["シェア", "ポスト", "ブックマーク"], "関連記事",
           ["市長が新年度予算案を発表", "駅前再開発の計画まとまる"], ["会社案内 | お問い合わせ | 利用規約", "無断転載を禁じます © 2024 例示新聞"]),
    "ko": (["홈", "정치", "경제", "사회", "스포츠"], ["공유하기", "페이스북", "트위터"], "관련 기사",
           ["시내버스 노선 개편안 발표", "올여름 폭염 일수 역대 최다"], ["회사소개 | 광고문의 | 개인정보처리방침", "Copyright © 2024 예시일보. All rights reserved."]),
    "ar": (["الرئيسية", "محليات", "عربي ودولي", "اقتصاد", "رياضة"], ["شارك", "فيسبوك", "تويتر"], "أخبار ذات صلة",
           ["ارتفاع أسعار الخضار في الأسواق", "انطلاق الموسم الدراسي الجديد"], ["من نحن | اتصل بنا | سياسة الخصوصية", "جميع الحقوق محفوظة © 2024 صحيفة المثال"]),
    "he": (["ראשי", "חדשות", "כלכלה", "ספורט"], ["שתפו", "פייסבוק", "וואטסאפ"], "כתבות נוספות",
           ["מחירי הדירות ממשיכים לעלות", "שנת הלימודים נפתחה כסדרה"], ["אודות | צור קשר | תנאי שימוש", "כל הזכויות שמורות © 2024 עיתון לדוגמה"]),
    "fa": (["خانه", "سیاسی", "اقتصادی", "ورزشی"], ["اشتراک گذاری", "تلگرام", "واتساپ"], "مطالب مرتبط",
           ["افزایش صادرات محصولات کشاورزی", "برگزاری نمایشگاه کتاب در پایتخت"], ["درباره ما | تماس با ما", "تمامی حقوق این سایت محفوظ است © ۱۴۰۳"]),
    "ru": (["Главная", "Новости", "Экономика", "Спорт"], ["Поделиться", "ВКонтакте", "Telegram"], "Читайте также",
           ["В городе открылся новый парк", "Цены на бензин выросли"], ["О нас | Контакты | Реклама", "© 2024 Городские новости. Все права защищены."]),
    "bg": (["Начало", "България", "Свят", "Икономика", "Спорт"], ["Сподели", "Facebook", "Twitter"], "Още по темата",
           ["Нов мост над реката", "Зимата идва по-рано"], ["За нас | Контакти | Реклама", "© 2024 Примерни новини. Всички права запазени."]),
    "fr": (["Accueil", "Actualités", "Région", "Économie", "Sports"], ["Partager", "Facebook", "Twitter"], "À lire aussi",
           ["Le marché de Noël ouvre ses portes", "Grève des transports jeudi"], ["Mentions légales | Contact | Publicité", "© 2024 Le Journal Exemple. Tous droits réservés."]),
    "de": (["Startseite", "Politik", "Wirtschaft", "Sport", "Kultur"], ["Teilen", "Facebook", "Twitter"], "Lesen Sie auch",
           ["Neuer Radweg am Fluss eröffnet", "Stadtrat beschließt Haushalt"], ["Impressum | Datenschutz | Kontakt", "© 2024 Beispiel-Zeitung. Alle Rechte vorbehalten."]),
    "pl": (["Strona główna", "Kraj", "Świat", "Gospodarka", "Sport"], ["Udostępnij", "Facebook", "Twitter"], "Czytaj także",
           ["Nowy most na Wiśle", "Ceny prądu w górę"], ["O nas | Kontakt | Reklama", "© 2024 Gazeta Przykładowa. Wszelkie prawa zastrzeżone."]),
    "cs": (["Úvod", "Domácí", "Zahraničí", "Ekonomika", "Sport"], ["Sdílet", "Facebook", "Twitter"], "Související články",
           ["Nová linka metra", "Ceny energií klesají"], ["O nás | Kontakt | Reklama", "© 2024 Ukázkové noviny. Všechna práva vyhrazena."]),
    "el": (["Αρχική", "Ελλάδα", "Κόσμος", "Οικονομία", "Αθλητισμός"], ["Κοινοποίηση", "Facebook", "Twitter"], "Διαβάστε επίσης",
           ["Νέα γραμμή μετρό", "Αύξηση στις τιμές των καυσίμων"], ["Ποιοι είμαστε | Επικοινωνία", "© 2024 Παράδειγμα Ειδήσεις. Με την επιφύλαξη παντός δικαιώματος."]),
}

# Site names, for the <title> and the logo.
SITE = {
    "zh": "示例新闻网", "ja": "例示新聞", "ko": "예시일보", "ar": "صحيفة المثال", "he": "עיתון לדוגמה",
    "fa": "خبرگزاری نمونه", "ru": "Городские новости", "bg": "Примерни новини", "fr": "Le Journal Exemple",
    "de": "Beispiel-Zeitung", "pl": "Gazeta Przykładowa", "cs": "Ukázkové noviny", "el": "Παράδειγμα Ειδήσεις",
}

# ---------------------------------------------------------------------------
# Fixtures: (file, text key, language code, script, python codec,
# how the charset is declared, content_type sent, <html lang/dir> or None).
#
# declared: "content_type" (only in content_type), "meta" (<meta charset>),
# "http-equiv" (<meta http-equiv="Content-Type">), "none" (undeclared).

FIXTURES = [
    # CJK
    ("zh-utf8.html", "zh-metro", "zh", "Hani", "utf-8", "content_type", "text/html; charset=utf-8", "zh-CN"),
    ("zh-gb18030-meta.html", "zh-grain", "zh", "Hani", "gb18030", "meta", "text/html", "zh-CN"),
    ("zh-gb18030-undeclared.html", "zh-grain", "zh", "Hani", "gb18030", "none", None, None),
    ("ja-utf8.html", "ja-sakura", "ja", "Jpan", "utf-8", "meta", None, "ja"),
    ("ja-shift_jis.html", "ja-train", "ja", "Jpan", "shift_jis", "content_type", "text/html; charset=Shift_JIS", "ja"),
    ("ja-shift_jis-undeclared.html", "ja-sakura", "ja", "Jpan", "shift_jis", "none", None, None),
    ("ko-utf8.html", "ko-fireworks", "ko", "Kore", "utf-8", "none", "text/html", None),
    ("ko-euc-kr.html", "ko-fireworks", "ko", "Kore", "euc_kr", "http-equiv", None, "ko"),
    # RTL
    ("ar-utf8.html", "ar-water", "ar", "Arab", "utf-8", "meta", None, ("ar", "rtl")),
    ("ar-utf8-nolang.html", "ar-books", "ar", "Arab", "utf-8", "none", "text/html", None),
    ("ar-windows-1256.html", "ar-water", "ar", "Arab", "cp1256", "content_type", "text/html; charset=windows-1256", ("ar", "rtl")),
    ("ar-windows-1256-undeclared.html", "ar-books", "ar", "Arab", "cp1256", "none", None, None),
    ("he-utf8-nolang.html", "he-park", "he", "Hebr", "utf-8", "meta", None, None),
    ("he-windows-1255.html", "he-heat", "he", "Hebr", "cp1255", "meta", None, ("he", "rtl")),
    ("he-iso-8859-8.html", "he-park", "he", "Hebr", "iso8859_8", "content_type", "text/html; charset=ISO-8859-8", None),
    ("fa-utf8-nolang.html", "fa-inflation", "fa", "Arab", "utf-8", "meta", None, None),
    # Legacy single-byte encodings
    ("ru-windows-1251-undeclared.html", "ru-embankment", "ru", "Cyrl", "cp1251", "none", None, None),
    ("bg-windows-1251.html", "bg-schools", "bg", "Cyrl", "cp1251", "http-equiv", None, "bg"),
    ("fr-iso-8859-15.html", "fr-railway", "fr", "Latn", "iso8859_15", "content_type", "text/html; charset=ISO-8859-15", "fr"),
    ("de-windows-1252.html", "de-heating", "de", "Latn", "cp1252", "meta", None, "de"),
    ("de-iso-8859-1-undeclared.html", "de-library", "de", "Latn", "latin-1", "none", None, None),
    ("pl-iso-8859-2.html", "pl-transport", "pl", "Latn", "iso8859_2", "content_type", "text/html; charset=iso-8859-2", "pl"),
    ("cs-iso-8859-2.html", "cs-harvest", "cs", "Latn", "iso8859_2", "http-equiv", None, "cs"),
    ("el-iso-8859-7.html", "el-museum", "el", "Grek", "iso8859_7", "content_type", "text/html; charset=ISO-8859-7", "el"),
    ("ko-euc-kr-undeclared.html", "ko-fireworks", "ko", "Kore", "euc_kr", "none", None, None),
    ("pl-iso-8859-2-undeclared.html", "pl-transport", "pl", "Latn", "iso8859_2", "none", None, None),
    ("cs-iso-8859-2-undeclared.html", "cs-harvest", "cs", "Latn", "iso8859_2", "none", None, None),
    ("bg-windows-1251-undeclared.html", "bg-schools", "bg", "Cyrl", "cp1251", "none", None, None),
    ("he-windows-1255-undeclared.html", "he-heat", "he", "Hebr", "cp1255", "none", None, None),
    ("el-iso-8859-7-capitals-undeclared.html", "el-alpha", "el", "Grek", "iso8859_7", "none", None, None),
    ("el-iso-8859-7-undeclared.html", "el-museum", "el", "Grek", "iso8859_7", "none", None, None),
]

# The label each python codec is declared with inside the page.
LABELS = {
    "utf-8": "utf-8", "gb18030": "gb18030", "shift_jis": "Shift_JIS", "euc_kr": "euc-kr",
    "cp1256": "windows-1256", "cp1255": "windows-1255", "iso8859_8": "iso-8859-8",
    "cp1251": "windows-1251", "iso8859_15": "iso-8859-15", "cp1252": "windows-1252",
    "latin-1": "iso-8859-1", "iso8859_2": "iso-8859-2", "iso8859_7": "iso-8859-7",
}

# The WHATWG encoding the pipeline should decode each fixture with. An
# undeclared page is decoded with what chardetng guesses: GBK's decoder is
# GB18030's, windows-1252 decodes every ISO-8859-1 text byte the same, and
# chardetng names Greek windows-1253, which agrees with ISO-8859-7 on these
# pages' letters. The two differ on capital Ά (0xB6 against 0xA2), and with
# one in the text chardetng picks ISO-8859-7.
WHATWG = {
    "utf-8": "UTF-8", "gb18030": "gb18030", "shift_jis": "Shift_JIS", "euc_kr": "EUC-KR",
    "cp1256": "windows-1256", "cp1255": "windows-1255", "iso8859_8": "ISO-8859-8",
    "cp1251": "windows-1251", "iso8859_15": "ISO-8859-15", "cp1252": "windows-1252",
    "latin-1": "windows-1252", "iso8859_2": "ISO-8859-2", "iso8859_7": "ISO-8859-7",
}
WHATWG_UNDECLARED = {"gb18030": "GBK", "iso8859_7": "windows-1253"}
WHATWG_BY_FILE = {"el-iso-8859-7-capitals-undeclared.html": "ISO-8859-7"}


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def page(lang, key, declared, codec, html_attrs):
    headline, paragraphs = TEXTS[key]
    menu, share, related_head, related, footer = CHROME[lang]
    head = []
    if declared == "meta":
        head.append(f'<meta charset="{LABELS[codec]}">')
    elif declared == "http-equiv":
        head.append(f'<meta http-equiv="Content-Type" content="text/html; charset={LABELS[codec]}">')
    head.append('<meta name="viewport" content="width=device-width, initial-scale=1">')
    head.append(f"<title>{esc(headline)} - {esc(SITE[lang])}</title>")
    attrs = ""
    if isinstance(html_attrs, tuple):
        attrs = f' lang="{html_attrs[0]}" dir="{html_attrs[1]}"'
    elif html_attrs:
        attrs = f' lang="{html_attrs}"'
    nav = " ".join(f'<li><a href="/section/{i}">{esc(m)}</a></li>' for i, m in enumerate(menu))
    share_links = " ".join(f'<a href="#share-{i}">{esc(s)}</a>' for i, s in enumerate(share))
    rel = "".join(f'<li><a href="/news/{i}">{esc(r)}</a></li>' for i, r in enumerate(related))
    # Chinese sites indent each paragraph with two ideographic spaces; the
    # article text must not keep them.
    indent = "\u3000\u3000" if lang == "zh" else ""
    body = "\n".join(f"<p>{indent}{esc(p)}</p>" for p in paragraphs)
    # &copy;: not every legacy encoding has the sign itself.
    foot = "\n".join(f"<p>{esc(f).replace('©', '&copy;')}</p>" for f in footer)
    return f"""<!DOCTYPE html>
<html{attrs}>
<head>
{chr(10).join(head)}
<link rel="stylesheet" href="/static/site.css">
<script>window.dataLayer = window.dataLayer || []; function gtag() {{ dataLayer.push(arguments); }}</script>
</head>
<body>
<header class="site-header">
<div class="logo"><a href="/">{esc(SITE[lang])}</a></div>
<nav class="main-menu"><ul>{nav}</ul></nav>
</header>
<main>
<article class="story">
<h1>{esc(headline)}</h1>
<div class="story-body">
{body}
</div>
<div class="share-bar">{share_links}</div>
</article>
<aside class="related">
<h3>{esc(related_head)}</h3>
<ul>{rel}</ul>
</aside>
</main>
<footer class="site-footer">
{foot}
</footer>
</body>
</html>
"""


def main():
    out_dir.mkdir(parents=True, exist_ok=True)
    expected = []
    for name, key, lang, script, codec, declared, content_type, html_attrs in FIXTURES:
        html = page(lang, key, declared, codec, html_attrs)
        data = html.encode(codec)  # strict: a character the encoding lacks is an error
        if codec != "utf-8":
            try:
                data.decode("utf-8")
                raise SystemExit(f"{name}: legacy bytes are also valid UTF-8")
            except UnicodeDecodeError:
                pass
        (out_dir / name).write_bytes(data)
        whatlang = WHATWG[codec]
        if declared == "none":
            whatlang = WHATWG_UNDECLARED.get(codec, whatlang)
        whatlang = WHATWG_BY_FILE.get(name, whatlang)
        expected.append({
            "file": name,
            "content_type": content_type,
            "charset_declared": declared,
            "encoding": whatlang,
            "language": lang,
            "script": script,
            "direction": "rtl" if script in ("Arab", "Hebr") else "ltr",
            "html_lang_dir": list(html_attrs) if isinstance(html_attrs, tuple) else html_attrs,
            "paragraphs": TEXTS[key][1],
        })
    with open(out_dir / "expected.json", "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(expected)} fixtures to {out_dir.relative_to(root)}")


if __name__ == "__main__":
    main()
