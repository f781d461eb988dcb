-- perfproof performance indexes: every secondary index of the portal.
-- Each index names, above it, the portal query (operation) it serves.
-- Counterpart: drop-performance-indexes.sql. Indexes on/off = apply/drop, then ANALYZE.

-- orders.list_for_user: a user's order history, newest first, keyset pages
-- (GET /api/orders). The claim "orders query 1.3 s -> 200 ms" rests on this one.
CREATE INDEX IF NOT EXISTS idx_orders_user_date
    ON orders (user_id, created_at DESC, id DESC);

-- products.search: catalogue filtered by region and active flag (GET /api/products?region_id=).
CREATE INDEX IF NOT EXISTS idx_products_region_active
    ON products (region_id, active);

-- wallet.recent_transactions: the newest ledger entries of a user (GET /api/wallet).
CREATE INDEX IF NOT EXISTS idx_wallet_transactions_user_date
    ON wallet_transactions (user_id, created_at DESC, id DESC);

-- cart.for_user: a user's cart lines (GET /api/cart, checkout, cart edits).
CREATE INDEX IF NOT EXISTS idx_cart_items_user
    ON cart_items (user_id);
