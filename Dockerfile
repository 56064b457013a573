FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir . \
    && for app in units intake sessions billing reporting quality; do (cd $app && python ../manage.py compilemessages -v0 --settings=config.settings.local); done
ENV DJANGO_SETTINGS_MODULE=config.settings.production
EXPOSE 8000
