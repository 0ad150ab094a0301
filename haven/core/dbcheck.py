"""``python -m haven.core.dbcheck URL``: exit 0 if the PostgreSQL server answers."""

import sys

import dj_database_url


def main(url: str) -> int:
    import psycopg

    cfg = dj_database_url.parse(url)
    try:
        psycopg.connect(
            host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"], password=cfg["PASSWORD"] or None,
            dbname="postgres", connect_timeout=3,
        ).close()
    except psycopg.Error:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
