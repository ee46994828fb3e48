"""The data model: the 95 tables of the mall schema plus the wallet, statistics and support tables.

Importing this package registers every table on ``Base.metadata``.
"""

from .actors import *  # noqa: F403
from .admin import *  # noqa: F403
from .base import Base, Exact, Money, UTCDateTime, new_id, utcnow  # noqa: F401
from .carts import *  # noqa: F403
from .catalog import *  # noqa: F403
from .console import *  # noqa: F403
from .coupons import *  # noqa: F403
from .finance import *  # noqa: F403
from .inquiries import *  # noqa: F403
from .orders import *  # noqa: F403
from .payments import *  # noqa: F403
from .returns import *  # noqa: F403
from .reviews import *  # noqa: F403
from .sellers import *  # noqa: F403
from .shipping import *  # noqa: F403
from .sign_in import *  # noqa: F403
from .stats import *  # noqa: F403
from .systematic import *  # noqa: F403
from .variants import *  # noqa: F403
from .wallet import *  # noqa: F403

MATERIALIZED_VIEWS = frozenset({"mv_shopping_mall_product_rating_aggregates"})
