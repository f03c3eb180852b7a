FROM python:3.11-slim
WORKDIR /srv/conflict-reports
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY seed ./seed
RUN pip install --no-cache-dir -e .
EXPOSE 8000
CMD ["conflict-reports", "serve", "--host", "0.0.0.0", "--port", "8000"]
