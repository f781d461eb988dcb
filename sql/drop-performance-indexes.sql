-- Counterpart of add-performance-indexes.sql: drops every performance index.
DROP INDEX IF EXISTS idx_orders_user_date;
DROP INDEX IF EXISTS idx_products_region_active;
DROP INDEX IF EXISTS idx_wallet_transactions_user_date;
DROP INDEX IF EXISTS idx_cart_items_user;
