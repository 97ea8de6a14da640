"""`POST /api/imports/`: a feed uploaded, imported by a worker, with its progress and report."""

import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError
from rest_framework.test import APIClient

from catalog import imports
from catalog.models import ImportJob, Product
from catalog.transactions import named_lock
from tasks.imports import enqueue_import, relay_imports, run_import
from tests import factories
from tests.conftest import wait_until

FEED = (
    b"sku,name,brand,category,price,stock\n"
    b"IMP-1,Desk lamp,lumen,lamps,19.90,3\n"
    b"IMP-2,Floor lamp,lumen,lamps,-1,3\n"
    b"IMP-3,Wall lamp,,lamps,24.00,0\n"
)


def _upload(client, content: bytes = FEED, name: str = "feed.csv", **fields):
    return client.post(
        "/api/imports/", {"file": SimpleUploadedFile(name, content), **fields}, format="multipart"
    )


@pytest.mark.django_db
def test_an_upload_is_queued_then_imported_with_its_counts_and_report(
    staff_api, django_capture_on_commit_callbacks
):
    # given a feed uploaded by a user who may create and change products
    requested = []

    def receiver(*, job_id: int, **kwargs) -> None:
        requested.append(job_id)

    imports.import_requested.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = _upload(staff_api, create_missing="true")
    finally:
        imports.import_requested.disconnect(receiver)

    # then it is queued, a worker is asked for it, and its report is not there yet
    assert response.status_code == 202
    job = response.json()
    assert response["Location"] == f"/api/imports/{job['id']}/"
    assert (job["state"], job["counts"], job["report"]) == ("queued", None, None)
    assert job["id"] in requested
    assert staff_api.get(f"/api/imports/{job['id']}/report/").status_code == 409

    # when a worker runs it
    imports.import_job_run(job_id=job["id"])

    # then its progress, counts and report say what happened
    done = staff_api.get(f"/api/imports/{job['id']}/").json()
    assert (done["state"], done["rows_total"], done["rows_done"]) == ("done", 3, 3)
    assert done["counts"] == {"rows": 3, "created": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    report = staff_api.get(done["report"]).json()
    assert report["rejections"] == [
        {"line": 3, "sku": "IMP-2", "reasons": ["price: Ensure this value is greater than or equal to 0."]}
    ]
    assert set(Product.objects.values_list("sku", flat=True)) == {"IMP-1", "IMP-3"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [("feed.txt", FEED, ".csv, .jsonl or .ndjson"), ("feed.csv", b"", "empty")],
)
def test_a_file_that_is_no_feed_gets_400_naming_it(staff_api, name, content, reason):
    response = _upload(staff_api, content, name)
    assert response.status_code == 400
    assert reason in response.json()["file"][0]
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_imports_need_add_and_change_and_users_see_only_their_own(staff_api):
    adder = APIClient()
    adder.force_authenticate(factories.user("catalog.add_product"))
    assert _upload(adder).status_code == 403
    assert _upload(APIClient()).status_code == 401

    job = _upload(staff_api).json()
    other = APIClient()
    other.force_authenticate(factories.user("catalog.add_product", "catalog.change_product"))
    assert other.get(f"/api/imports/{job['id']}/").status_code == 404


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_worker_imports_an_uploaded_feed(celery_worker, search_index, staff_api):
    # given an uploaded feed naming a brand and a category that do not exist yet
    response = _upload(staff_api, create_missing="true")
    job_id = response.json()["id"]

    # then the worker imports it, creating them
    done = wait_until(
        lambda: (job := staff_api.get(f"/api/imports/{job_id}/").json())["state"] == "done" and job,
        timeout=30,
    )
    assert done["counts"]["created"] == 2 and done["counts"]["rejected"] == 1
    assert Product.objects.get(sku="IMP-1").brand.slug == "lumen"


@contextmanager
def requests_unanswered():
    """No request for the job: as if the broker had lost it (the receiver is disconnected)."""
    imports.import_requested.disconnect(dispatch_uid="tasks-enqueue-import")
    try:
        yield
    finally:
        imports.import_requested.connect(enqueue_import, dispatch_uid="tasks-enqueue-import")


def _age(job_id: int, seconds: float) -> None:
    ImportJob.objects.filter(pk=job_id).update(created_at=timezone.now() - timedelta(seconds=seconds))


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_an_upload_whose_request_was_lost_is_requested_again_and_imported(
    celery_worker, search_index, staff_api, monkeypatch, caplog
):
    # given an upload committed while the broker refuses the request for its import
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to the broker. Connection refused.")

    with monkeypatch.context() as outage:
        outage.setattr(run_import, "delay", broker_down)
        job_id = _upload(staff_api, create_missing="true").json()["id"]
    assert f"import {job_id} not enqueued" in caplog.text  # the outage really cost the request
    time.sleep(2)
    assert ImportJob.objects.get(pk=job_id).state == ImportJob.State.QUEUED

    # when beat's relay runs once the job has waited longer than CATALOG_IMPORT_RELAY_SECONDS
    _age(job_id, 120)
    requested = relay_imports()

    # then the job is requested again and the worker imports it
    assert requested == [job_id]
    done = wait_until(
        lambda: (job := staff_api.get(f"/api/imports/{job_id}/").json())["state"] == "done" and job,
        timeout=30,
    )
    assert done["counts"]["created"] == 2
    # and a job that is done is not requested again
    assert relay_imports() == []


@pytest.mark.django_db(transaction=True)
def test_a_job_a_worker_is_running_is_neither_requested_again_nor_run_twice(staff_api):
    # given a queued job and a worker holding it (its named lock, on its own connection)
    with requests_unanswered():
        job_id = _upload(staff_api, create_missing="true").json()["id"]
    _age(job_id, 120)
    holding, release = threading.Event(), threading.Event()

    def worker() -> None:
        with named_lock(name=imports._job_lock(job_id), wait_seconds=0) as acquired:
            assert acquired
            holding.set()
            release.wait(10)
        connection.close()

    running = threading.Thread(target=worker)
    running.start()
    try:
        assert holding.wait(10)

        # when the relay looks for stalled jobs and another request for the job arrives
        requested = imports.request_stalled_imports(waited_seconds=60)
        second = imports.import_job_run(job_id=job_id)

        # then neither touches it
        assert requested == []
        assert second.state == ImportJob.State.QUEUED
        assert not Product.objects.filter(sku="IMP-1").exists()
    finally:
        release.set()
        running.join()

    # and once that worker is gone, the job is requested again (the request kept from the session's
    # worker, so that this test runs the job itself) and imported exactly once
    with requests_unanswered():
        assert imports.request_stalled_imports(waited_seconds=60) == [job_id]
    first = imports.import_job_run(job_id=job_id)
    again = imports.import_job_run(job_id=job_id)
    assert (first.state, again.state) == (ImportJob.State.DONE, ImportJob.State.DONE)
    assert Product.objects.filter(sku__in=["IMP-1", "IMP-3"]).count() == 2
    assert first.report["created"] == 2
