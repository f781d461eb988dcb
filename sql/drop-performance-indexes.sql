-- Counterpart of add-performance-indexes.sql: drops every performance index.
-- The pg_trgm extension stays: dropping it would touch other users of the database,
-- and an extension without indexes costs nothing.
DROP INDEX IF EXISTS idx_orders_user_date;
DROP INDEX IF EXISTS idx_orders_status_date;
DROP INDEX IF EXISTS idx_orders_created_at;
DROP INDEX IF EXISTS idx_order_items_product;
DROP INDEX IF EXISTS idx_wallet_transactions_user_date;
DROP INDEX IF EXISTS idx_wallet_transactions_order;
DROP INDEX IF EXISTS idx_cart_items_user;
DROP INDEX IF EXISTS idx_cart_items_product;
DROP INDEX IF EXISTS idx_cart_items_added_at;
DROP INDEX IF EXISTS idx_audit_log_created_at;
DROP INDEX IF EXISTS idx_audit_log_user_date;
DROP INDEX IF EXISTS idx_api_tokens_user;
DROP INDEX IF EXISTS idx_users_email;
DROP INDEX IF EXISTS idx_users_company;
DROP INDEX IF EXISTS idx_products_region_active;
DROP INDEX IF EXISTS idx_products_region_price;
DROP INDEX IF EXISTS idx_products_price;
DROP INDEX IF EXISTS idx_products_name;
DROP INDEX IF EXISTS idx_products_updated_at;
DROP INDEX IF EXISTS idx_products_sku;
DROP INDEX IF EXISTS idx_products_name_trgm;
DROP INDEX IF EXISTS idx_products_sku_trgm;
