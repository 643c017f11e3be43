"""The link checks themselves, on small inputs (pure functions)."""

from clinic.checks.links import content_links, output_links

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


def test_a_link_table_gathered_in_two_parts_gives_each_broken_link_once():
    from clinic.checks.links import LinkTable

    pages = {f"conditions/c{i}/index.html": f'<a href="/nowhere/">x</a><a href="../c{i + 1}/">next</a>'
             for i in range(5)}
    pages["index.html"] = '<a href="/conditions/c0/">c0</a><a href="/gone/">gone</a><div data-pagefind-body>'
    existing = set(pages) | EXISTING
    first, second, whole = LinkTable(), LinkTable(), LinkTable()
    for i, (page, html) in enumerate(reversed(pages.items())):  # any order, any split
        (first if i % 2 else second).add(page, html)
        whole.add(page, html)
    first.merge(second)
    assert first.searchable == 1 and first.pages == set(pages)
    lines = [(p.path, p.message, p.hint) for p in first.problems(existing)]
    assert lines == [(p.path, p.message, p.hint) for p in whole.problems(existing)]
    assert lines == [
        ("output/conditions/c0/index.html", "'/nowhere/' leads to no file in the site (and on 4 more pages)",
         "a link on many pages comes from a template in theme/templates/"),
        ("output/conditions/c4/index.html", "'../c5/' leads to no file in the site",
         "fix the link in the page's source, or add the missing page"),
        ("output/index.html", "'/gone/' leads to no file in the site",
         "fix the link in the page's source, or add the missing page")]


def test_links_to_this_site_by_full_address_are_checked_and_other_sites_are_not():
    html = ('<a href="http://clinic.test/gone/">ours, by http</a><a href="//clinic.test/conditions/bunyons/">ours</a>'
            '<a href="https://clinic.test/conditions/bunions/">ours, there</a>'
            '<a href="https://other.example/?from=clinic.test">another site naming ours</a>'
            '<a href="https://other.example/gone/">another site</a>')
    found = messages(output_links("index.html", html, EXISTING, "https://clinic.test"))
    assert found == ["'http://clinic.test/gone/' leads to no file in the site",
                     "'//clinic.test/conditions/bunyons/' leads to no file in the site"]


def test_links_remembered_between_builds_give_what_a_fresh_read_gives():
    """The dev server keeps each page's links from one rebuild to the next
    (links.Remembered); a page that changed must be read again, and a page of
    the last build that is gone must not count."""
    from clinic.checks import links

    site = "https://clinic.test"
    pages = {f"conditions/c{i}/index.html": f'<a href="/conditions/c{i + 1}/">next</a><a href="/about/">about</a>'
             for i in range(5)}
    existing = set(pages) | {"about/index.html"}
    remembered = links.Remembered()

    def problems(pages, existing, memo):
        table = links.LinkTable()
        if memo is not None:
            memo.begin()
        for page, html in sorted(pages.items()):
            if memo is None:
                table.add(page, html, site)
            else:
                table.add_links(page, *memo.links(page, html.encode(), site))
        return [str(p) for p in table.problems(existing)]

    first = problems(pages, existing, remembered)
    assert first == problems(pages, existing, None)
    assert len(first) == 1 and "'/conditions/c5/'" in first[0]
    # the same pages again: nothing is read, the answer is the same
    read = []
    real = links.page_links
    links.page_links = lambda *a: read.append(a[0]) or real(*a)
    try:
        assert problems(pages, existing, remembered) == first
        assert read == []
        # one page changes: only it is read again, and its new broken link shows up
        changed = dict(pages, **{"conditions/c1/index.html": '<a href="/gone/">x</a><a href="/about/">about</a>'})
        again = problems(changed, existing, remembered)
        assert read == ["conditions/c1/index.html"]
        assert again == problems(changed, existing, None)
        assert any("'/gone/'" in line for line in again)
        # the about page is deleted: every page's link to it is now broken
        assert problems(changed, existing - {"about/index.html"}, remembered) == \
            problems(changed, existing - {"about/index.html"}, None)
    finally:
        links.page_links = real
    # each distinct link is kept once, however many pages have it
    about = [k for found, _ in remembered.pages.now.values() for k in found if k[0] == "/about/"]
    assert len(about) == 5 and all(k is about[0] for k in about)
    # only the last build's pages are kept
    assert len(remembered.pages.now) == 5 and len(remembered.pages.last) <= 6


def test_links_remembered_read_a_page_file_again_only_when_the_file_changed(tmp_path):
    """links.Remembered.links_at (the dev server's link check): a page file whose
    size, modification time and inode are the ones read last time is not read
    again; one written again, or replaced by another file, is."""
    import os
    import time

    from clinic.checks import links

    site = "https://clinic.test"
    page = tmp_path / "index.html"
    page.write_text('<a href="/about/">about</a>', encoding="utf-8")
    remembered = links.Remembered()

    def targets() -> list[str]:
        remembered.begin()
        found, _ = remembered.links_at("index.html", page, site)
        return [target for target, _ in found]

    assert targets() == ["/about/"]
    # the same file: its answer is taken without reading it (proved by changing its
    # bytes behind the check's back, keeping its size and times: the old answer comes back)
    st = page.stat()
    page.write_text('<a href="/other/">about</a>', encoding="utf-8")
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert page.stat().st_size == st.st_size
    assert targets() == ["/about/"]
    # written again (a new modification time): read again
    time.sleep(0.01)
    page.write_text('<a href="/gone/">gone</a>', encoding="utf-8")
    assert targets() == ["/gone/"]
    # replaced by another file with the same size and times (a new inode): read again
    st = page.stat()
    other = tmp_path / "new.html"
    other.write_text('<a href="/news/">news</a>', encoding="utf-8")
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    other.replace(page)
    assert targets() == ["/news/"]
    # another site address: read again
    remembered.begin()
    found, _ = remembered.links_at("index.html", page, "https://elsewhere.test")
    assert [t for t, _ in found] == ["/news/"] and remembered.files_now["index.html"][1] == "https://elsewhere.test"
