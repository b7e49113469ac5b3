"""Page types for the knowledge base; one module per page family."""

from cms.knowledge.models.base import KnowledgePage, TaggedKnowledgePage
from cms.knowledge.models.project import ImprovementProjectPage
from cms.knowledge.models.story import CaseStoryPage
from cms.knowledge.models.training import TrainingMaterialPage

__all__ = [
    "CaseStoryPage",
    "ImprovementProjectPage",
    "KnowledgePage",
    "TaggedKnowledgePage",
    "TrainingMaterialPage",
]
