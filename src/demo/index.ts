/**
 * The deterministic demo-portfolio generator (assumptions in data/README.md): `generatePortfolio` for the
 * whole portfolio in memory, `generateCustomers` to stream it customer by customer (used by seeding).
 */
export {
  generatePortfolio,
  generateCustomers,
  generateCustomer,
  validateDemoOptions,
  type DemoOptions,
  type DemoPortfolio,
  type DemoCustomerBundle,
  type DemoCustomer,
  type DemoInvoice,
  type DemoPayment,
  type DemoOrder,
  type DemoProfile,
} from "./generate";
export { bundleHistory, portfolioHistories } from "./histories";
export { INDUSTRIES, REGIONS, SEASONALITY } from "./catalog";
export { Rng } from "./prng";
