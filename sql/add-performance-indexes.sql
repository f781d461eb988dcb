-- perfproof performance indexes: every secondary index of the portal.
--
-- Format (parsed by portal/db/index_file.py, so keep it): the comment block
-- right above each CREATE INDEX starts with "-- <operation>: <why>", where
-- <operation> names the portal query the index serves (resource.query, the
-- names `perfproof index-proof` reports). The proof runs that query
-- with the index on and off and says whether the planner used it.
-- Counterpart: drop-performance-indexes.sql. Indexes on/off = apply/drop, then ANALYZE.

-- Trigram operator classes for the substring search on product name and SKU.
-- Ships with PostgreSQL (contrib) and with the embedded server.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- ---------------------------------------------------------------- orders

-- orders.list_for_user: a user's order history, newest first, keyset pages
-- (GET /api/orders). The claim "orders query 1.3 s -> 200 ms" rests on this one.
CREATE INDEX IF NOT EXISTS idx_orders_user_date
    ON orders (user_id, created_at DESC, id DESC);

-- orders.recent_for_admin: orders in one status, newest first, keyset pages
-- (GET /api/admin/orders?status=pending). Rare statuses are the ones admins chase.
CREATE INDEX IF NOT EXISTS idx_orders_status_date
    ON orders (status, created_at DESC, id DESC);

-- orders.daily_sales: revenue per day over a date range (GET /api/admin/orders/daily-sales);
-- INCLUDE makes it an index-only scan, the report never touches the table. Read
-- backwards it also serves orders.recent_for_admin when no status is given.
CREATE INDEX IF NOT EXISTS idx_orders_created_at
    ON orders (created_at, id) INCLUDE (status, total_cents);

-- ---------------------------------------------------------------- order_items

-- products.sales_for_product: units and revenue of one product
-- (GET /api/admin/products/{id}/sales); also the FK check order_items_product_fk
-- would run if a product were ever deleted. INCLUDE: index-only.
CREATE INDEX IF NOT EXISTS idx_order_items_product
    ON order_items (product_id) INCLUDE (quantity, unit_price_cents);

-- ---------------------------------------------------------------- wallet_transactions

-- wallet.for_user: the newest ledger entries of a user, next to the balance (GET /api/wallet).
CREATE INDEX IF NOT EXISTS idx_wallet_transactions_user_date
    ON wallet_transactions (user_id, created_at DESC, id DESC);

-- wallet.transactions_for_order: the payment and refunds of one order
-- (GET /api/admin/orders/{id}/transactions); also the FK check of
-- wallet_transactions_order_fk when an order is deleted. Partial: two thirds
-- of the ledger are top-ups without an order, and `order_id = x` implies NOT NULL.
CREATE INDEX IF NOT EXISTS idx_wallet_transactions_order
    ON wallet_transactions (order_id) WHERE order_id IS NOT NULL;

-- ---------------------------------------------------------------- cart_items

-- cart.for_user: a user's cart lines (GET /api/cart, checkout, cart edits).
CREATE INDEX IF NOT EXISTS idx_cart_items_user
    ON cart_items (user_id);

-- cart.carts_holding_product: how many carts hold a product
-- (GET /api/admin/products/{id}/sales); also the FK check of cart_items_product_fk.
CREATE INDEX IF NOT EXISTS idx_cart_items_product
    ON cart_items (product_id);

-- cleanup.abandoned_cart_items: lines of carts untouched since the cut-off, oldest
-- first, one bounded batch at a time (the cleanup job).
CREATE INDEX IF NOT EXISTS idx_cart_items_added_at
    ON cart_items (added_at);

-- ---------------------------------------------------------------- audit_log

-- cleanup.old_audit_rows: audit rows older than the cut-off, oldest first, one
-- bounded batch at a time (the cleanup job).
CREATE INDEX IF NOT EXISTS idx_audit_log_created_at
    ON audit_log (created_at);

-- audit.recent_for_user: a user's newest audit entries (GET /api/admin/users/{id});
-- also the ON DELETE SET NULL of audit_log_user_fk. Partial: system rows have no user.
CREATE INDEX IF NOT EXISTS idx_audit_log_user_date
    ON audit_log (user_id, created_at DESC, id DESC) WHERE user_id IS NOT NULL;

-- ---------------------------------------------------------------- users and tokens

-- auth.tokens_for_user: a user's token history (GET /api/admin/users/{id});
-- also the ON DELETE CASCADE of api_tokens_user_fk.
CREATE INDEX IF NOT EXISTS idx_api_tokens_user
    ON api_tokens (user_id);

-- users.by_email: find a user by e-mail address (GET /api/admin/users?email=).
CREATE INDEX IF NOT EXISTS idx_users_email
    ON users (email);

-- users.for_company: the users of one company, in id order
-- (GET /api/admin/companies/{id}/users); also the FK check of users_company_fk.
CREATE INDEX IF NOT EXISTS idx_users_company
    ON users (company_id, id);

-- ---------------------------------------------------------------- products
-- No index for the category filter: an index on (category, active, id) was
-- measured and never chosen (index-proof, small and medium). Each category holds
-- ~2 % of the catalogue, so the primary key read in id order fills a page after
-- ~800 rows (0.3 ms at medium; forced, the index took 0.1 ms): the planner prices
-- the two alike and picks the key. Not worth maintaining on every write.

-- products.search: catalogue of one region, active products, default id order
-- (GET /api/products?region_id=). The id column serves ORDER BY id LIMIT without a
-- sort. It pays for the smaller regions and deep pages: for the largest region the
-- primary key read in id order finds a page about as fast (the proof shows which).
CREATE INDEX IF NOT EXISTS idx_products_region_active
    ON products (region_id, active, id);

-- products.search: one region sorted by price, either direction, with an optional
-- price range (GET /api/products?region_id=&sort=price).
CREATE INDEX IF NOT EXISTS idx_products_region_price
    ON products (region_id, active, price_cents, id);

-- products.search: the whole catalogue sorted by price, either direction
-- (GET /api/products?sort=price|-price).
CREATE INDEX IF NOT EXISTS idx_products_price
    ON products (price_cents, id);

-- products.search: the whole catalogue by name (GET /api/products?sort=name).
CREATE INDEX IF NOT EXISTS idx_products_name
    ON products (name, id);

-- products.search: recently changed products first (GET /api/products?sort=-updated_at).
CREATE INDEX IF NOT EXISTS idx_products_updated_at
    ON products (updated_at DESC, id DESC);

-- products.by_sku: one product by its exact SKU (GET /api/admin/products/by-sku/{sku}).
CREATE INDEX IF NOT EXISTS idx_products_sku
    ON products (sku);

-- products.search: substring search in the name (GET /api/products?q=), ILIKE '%term%'.
CREATE INDEX IF NOT EXISTS idx_products_name_trgm
    ON products USING gin (name gin_trgm_ops);

-- products.search: substring search in the SKU (GET /api/products?q=), ILIKE '%term%';
-- with the name index above, the planner ORs the two bitmaps.
CREATE INDEX IF NOT EXISTS idx_products_sku_trgm
    ON products USING gin (sku gin_trgm_ops);
