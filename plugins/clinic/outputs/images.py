"""The resized copies of large images, and the AVIF and WebP copies of photos
(pages/images.py asks for them), written with Pillow (a well-kept library) at
the end of the build."""

from __future__ import annotations

from pathlib import Path


def write(jobs: list, output: Path) -> None:
    from PIL import Image

    for job in set(jobs):
        target = output / job.target
        if target.exists() and target.stat().st_mtime >= job.source.stat().st_mtime:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with Image.open(job.source) as im:
            resized = im.resize((job.width, job.height), Image.LANCZOS)
            if target.suffix in (".avif", ".webp"):
                resized.save(target, quality=70)
            else:
                resized.save(target, optimize=True)
