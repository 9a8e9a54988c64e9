"""Stock of parts and products: reorder policies, the stock engine, the stock room and its books."""
