from worker.cli._app import app

app()
