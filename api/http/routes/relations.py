"""A firm's suppliers and customers, the material of the cluster map."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.actions import relations
from api.http.deps import ContextDep
from api.http.params import FirmRef, RecordId
from api.http.schemas.relations import RelationIn, RelationOut

router = APIRouter(tags=["cluster map"])


@router.get(
    "/firms/{ref}/relations",
    response_model=list[RelationOut],
    response_model_exclude_unset=True,
    summary="A firm's suppliers and customers (firms you manage)",
)
def firm_relations(ctx: ContextDep, ref: FirmRef) -> list:
    return relations.list_relations(ctx, ref)


@router.post(
    "/firms/{ref}/relations",
    response_model=RelationOut,
    response_model_exclude_unset=True,
    status_code=201,
    summary="Record a supplier or customer (the same one again updates it)",
)
def add_relation(ctx: ContextDep, body: RelationIn, ref: FirmRef) -> dict:
    return relations.add_relation(ctx, ref, body.model_dump(exclude_none=True))


@router.delete("/relations/{relation_id}", status_code=204)
def delete_relation(ctx: ContextDep, relation_id: RecordId) -> Response:
    relations.delete_relation(ctx, relation_id)
    return Response(status_code=204)
