"""The link checks themselves, on small inputs (pure functions)."""

from clinic.links import content_links, output_links

EXISTING = {"index.html", "conditions/bunions/index.html", "theme/css/site.abc.css", "images/foot.png"}


def messages(problems):
    return [p.message for p in problems]


def test_output_links_in_quoted_and_minified_html():
    html = ('<a href="/conditions/bunions/">ok</a><a href=/conditions/bunyons/>bad</a>'
            "<link href='/theme/css/site.abc.css' rel=stylesheet><img src=../../images/foot.png alt=x>"
            '<img src="/images/missing.png" srcset="/images/foot.png 1x, /images/big.png 2x" alt=y>'
            '<a href=https://clinic.test/conditions/bunions/>abs</a><a href="https://other.example/x">ext</a>'
            '<a href="#top">top</a><a href="tel:+1555">tel</a><a href=mailto:a@b.c>mail</a>')
    found = messages(output_links("conditions/bunions/index.html", html, EXISTING, "https://clinic.test"))
    assert found == ["'/conditions/bunyons/' leads to no file in the site",
                     "'/images/missing.png' leads to no file in the site",
                     "'/images/big.png' leads to no file in the site"]


def test_escaped_text_is_not_a_link():
    html = "<p>&lt;img src=x onerror=alert(1)&gt; and href=nowhere</p>"
    assert output_links("index.html", html, EXISTING) == []


def test_content_links_name_the_line():
    body = "Intro.\n\nSee [bunions]({filename}/conditions/bunions.md) and [x]({filename}/conditions/bunyons.md).\n" \
           '<a href="{static}/images/gone.png">img</a>'
    files = {"conditions/bunions.md", "images/foot.png"}
    problems = content_links("content/pages/a.md", body, 5, "pages", files)
    assert [(p.line, p.message) for p in problems] == [
        (7, "'{filename}/conditions/bunyons.md' does not exist"),
        (8, "'{static}/images/gone.png' does not exist")]
    assert problems[0].hint == "did you mean {filename}/conditions/bunions.md?"


def test_attribute_values_that_look_like_links_are_not_links():
    html = '<meta content="Sum <img src=x onerror=alert(1)>" name=description><a title="href=/nope/" href=/>home</a>'
    assert output_links("index.html", html, EXISTING) == []
