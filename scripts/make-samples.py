#!/usr/bin/env python3
"""Regenerates samples/articles.jsonl, the bundled sample articles.

The seed is the real scraped Arabic article from tests/fixtures; the others
were written for this project (no third-party text).
"""
import base64, json, pathlib

root = pathlib.Path(__file__).resolve().parent.parent
seed = (root / "tests/fixtures/seed-article.txt").read_text(encoding="utf-8")

en_html = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Parliament passes the annual budget after three days of debate | The Example Times</title>
<meta property="og:site_name" content="The Example Times">
<meta property="og:title" content="Parliament passes the annual budget after three days of debate">
<meta property="article:published_time" content="2024-10-24T10:00:00+02:00">
<meta name="author" content="Jane Doe">
<meta name="keywords" content="budget, parliament, economy">
<link rel="canonical" href="https://times.example/politics/budget-passes">
</head><body>
<header><nav><a href="/">Home</a> <a href="/politics">Politics</a> <a href="/business">Business</a> <a href="/sport">Sport</a></nav></header>
<div class="cookie-banner"><p>We use cookies to improve your experience. <a href="/privacy">Accept</a></p></div>
<main><article>
<h1>Parliament passes the annual budget after three days of debate</h1>
<p class="byline">By Jane Doe</p>
<p>The parliament passed the annual budget late on Thursday, after three days of debate that ended just before midnight.</p>
<p>The opposition voted against it, arguing that the spending plans were unrealistic and would widen the deficit next year.</p>
<p>The finance minister said the budget would protect pensions and invest in railways, schools and hospitals across the country.</p>
<p>Economists said the growth forecast behind the plan was optimistic but not impossible, given the recent rise in exports.</p>
<div class="share"><a href="#">Share</a> <a href="#">Tweet</a> <a href="#">Email</a></div>
</article>
<aside><h3>Related</h3><ul><li><a href="/a">Minister defends tax plan</a></li><li><a href="/b">Unions plan strike</a></li></ul></aside>
</main>
<footer><p>Subscribe to our newsletter</p><p>&copy; 2024 The Example Times. All rights reserved.</p></footer>
</body></html>"""

fr_text = """Accueil
Actualités
Transports
Le nouveau tramway entrera en service en septembre
Publié le 12 mars 2024
La ville a annoncé que la nouvelle ligne de tramway entrera en service au mois de septembre, avec trois mois de retard sur le calendrier initial.

Les travaux ont été ralentis par la découverte de canalisations anciennes sous la place centrale, qu'il a fallu déplacer avant de poser les rails.

Selon la mairie, la ligne transportera chaque jour près de vingt mille voyageurs entre la gare et le nouveau campus universitaire.
Partager
Laisser un commentaire
À lire aussi
Tous droits réservés"""

ru_html = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">
<title>Правительство одобрило программу ремонта школ</title></head><body>
<div class="menu"><a href="/">Главная</a> <a href="/news">Новости</a></div>
<div class="article">
<p>Правительство одобрило программу ремонта школ, рассчитанную на пять лет. В первый год планируется отремонтировать более трехсот зданий.</p>
<p>По словам министра, в первую очередь деньги получат сельские школы, где здания не ремонтировались с момента постройки.</p>
<p>Родители и учителя давно жаловались на протекающие крыши, старые окна и холодные классы зимой.</p>
</div></body></html>"""

zh_html = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>气象台发布暴雨预警</title></head><body>
<nav><a href="/">首页</a> <a href="/news">新闻</a></nav>
<article><h1>气象台发布暴雨预警</h1>
<p>市气象台今天上午发布暴雨黄色预警，预计未来二十四小时内全市大部分地区将出现大雨到暴雨，局部地区有大暴雨。</p>
<p>气象专家提醒市民尽量减少外出，注意防范城市内涝、山洪和地质灾害，驾车出行时要注意安全。</p>
<p>目前，相关部门已经启动应急预案，排水、交通和电力等部门正在做好准备工作。</p>
</article><footer>版权所有</footer></body></html>"""

ja_text = """ホーム
ニュース
市内で秋祭りが開かれ、週末の二日間で約五万人が訪れました。
会場には地元の料理を売る屋台が並び、家族連れや観光客でにぎわいました。
主催者によりますと、今年は天気にも恵まれ、来場者は去年より二割ほど多かったということです。
シェア
関連記事"""

fa_text = """خانه
اقتصاد
بازار ارز امروز با کاهش قیمت دلار همراه بود و معامله‌گران از ثبات نسبی در روزهای آینده خبر دادند.
کارشناسان می‌گویند افزایش عرضه ارز از سوی صادرکنندگان مهم‌ترین دلیل این کاهش بوده است.
به گفته فعالان بازار، تقاضا برای خرید طلا و سکه نیز در هفته گذشته کمتر شده است.
اشتراک گذاری
نظرات"""

articles = [
    {"id": "seed", "source": "seed", "text": seed},
    {"id": "en-budget", "url": "https://times.example/politics/budget-passes?utm=feed", "source": "example-times", "html": en_html,
     "fetched_at": "2024-10-24T09:00:00Z", "metadata": {"feed": "politics"}},
    {"id": "fr-transport", "source": "exemple-fr", "text": fr_text},
    {"id": "ru-cp1251", "source": "primer-ru", "content_type": "text/html",
     "body_base64": base64.b64encode(ru_html.encode("cp1251")).decode()},
    {"id": "zh-weather", "source": "example-cn", "html": zh_html},
    {"id": "ja-festival", "source": "example-jp", "text": ja_text},
    {"id": "fa-market", "source": "example-ir", "text": fa_text},
]
with open(root / "samples/articles.jsonl", "w", encoding="utf-8") as f:
    for a in articles:
        f.write(json.dumps(a, ensure_ascii=False) + "\n")
