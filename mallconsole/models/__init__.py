"""The data model: the 95 tables of the mall schema plus the wallet, statistics and support tables.

Importing this package registers every table on ``Base.metadata``.
"""

from mallconsole.models.actors import *  # noqa: F403
from mallconsole.models.admin import *  # noqa: F403
from mallconsole.models.base import Base, Exact, Money, UTCDateTime, new_id, utcnow  # noqa: F401
from mallconsole.models.carts import *  # noqa: F403
from mallconsole.models.catalog import *  # noqa: F403
from mallconsole.models.console import *  # noqa: F403
from mallconsole.models.coupons import *  # noqa: F403
from mallconsole.models.finance import *  # noqa: F403
from mallconsole.models.inquiries import *  # noqa: F403
from mallconsole.models.orders import *  # noqa: F403
from mallconsole.models.payments import *  # noqa: F403
from mallconsole.models.returns import *  # noqa: F403
from mallconsole.models.reviews import *  # noqa: F403
from mallconsole.models.sellers import *  # noqa: F403
from mallconsole.models.shipping import *  # noqa: F403
from mallconsole.models.sign_in import *  # noqa: F403
from mallconsole.models.stats import *  # noqa: F403
from mallconsole.models.systematic import *  # noqa: F403
from mallconsole.models.variants import *  # noqa: F403
from mallconsole.models.wallet import *  # noqa: F403

MATERIALIZED_VIEWS = frozenset({"mv_shopping_mall_product_rating_aggregates"})
