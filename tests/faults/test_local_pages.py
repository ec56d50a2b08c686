"""Web processes keep copies of cached pages in memory (portal.localpages); a change made in any other
process must still show at once in every one of them, also after Redis was gone for a while."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.factories import AssociationFactory

from .servers import NEEDS_REAL_SERVICES, Gunicorn, Redis, app_env, manage, real_services, suite_database_url

pytestmark = [
    pytest.mark.skipif(not real_services(), reason=NEEDS_REAL_SERVICES),
    pytest.mark.django_db(transaction=True),
]

PAGE = "/foreningar/"


def two_process_gunicorn(env: dict, log_dir) -> Gunicorn:
    web = Gunicorn(env, log_dir)
    web.args[web.args.index("--workers") + 1] = "2"
    web.args += ["--access-logfile", "-", "--access-logformat", "served %(U)s by %(p)s"]
    return web.start()


def names_shown(web: Gunicorn, requests_count: int = 40) -> set[str]:
    """Ask for the directory from many new connections at once, so that both processes answer."""

    def fetch(_) -> str:
        response = requests.get(web.base + PAGE, headers={"Connection": "close"}, timeout=15)
        assert response.status_code == 200
        return ",".join(sorted(set(re.findall(r"(?:PRO|SPF|RPG) Högsjö", response.text))))

    with ThreadPoolExecutor(max_workers=8) as pool:
        return set(pool.map(fetch, range(requests_count)))


def serving_processes(web: Gunicorn) -> set[str]:
    return set(re.findall(rf"served {PAGE} by <?(\d+)>?", web.log()))


def rename(env: dict, pk: int, name: str) -> None:
    code = f"from associations.models import Association\na = Association.objects.get(pk={pk})\n"
    code += f"a.name = {name!r}\na.save()"
    manage(env, code=code)


def test_a_change_in_another_process_shows_at_once_in_every_web_process(tmp_path, municipality, stop_at_end):
    redis = Redis(tmp_path).start()
    stop_at_end(redis)
    env = app_env(DATABASE_URL=suite_database_url(), REDIS_URL=redis.url(0), CELERY_BROKER_URL=redis.url(1))
    association = AssociationFactory(name="PRO Högsjö", show_in_directory=True)
    web = two_process_gunicorn(env, tmp_path)
    stop_at_end(web)

    assert names_shown(web) == {"PRO Högsjö"}
    assert names_shown(web) == {"PRO Högsjö"}  # now from the processes' copies
    assert len(serving_processes(web)) == 2, web.log()[-2000:]

    rename(env, association.pk, "SPF Högsjö")  # another process: only Redis tells the web processes
    assert names_shown(web) == {"SPF Högsjö"}

    redis.stop()
    rename(env, association.pk, "RPG Högsjö")  # nobody can be told: copies must not be used meanwhile
    assert names_shown(web) == {"RPG Högsjö"}
    redis.start()
    assert names_shown(web) == {"RPG Högsjö"}
    rename(env, association.pk, "PRO Högsjö")
    assert names_shown(web) == {"PRO Högsjö"}
