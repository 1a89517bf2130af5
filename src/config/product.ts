/** The product's name, as the pages, the emails (List-Id, footer) and the feeds say it. */
export const PRODUCT_NAME = 'paperboy';
