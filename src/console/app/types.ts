/**
 * The JSON shapes the console reads, taken from the server's read models (type-only imports: nothing of the
 * server is bundled into the browser code).
 */
export type { PortfolioSummary } from "../readmodel/portfolio";
import type { CustomerOverview as CO, listOrders, searchDecisions, getDecision, collectionsWorklist, modelsOverview } from "../readmodel/records";

type Awaited2<T> = T extends Promise<infer U> ? U : T;
/** JSON round trip turns nothing here into a different shape (all instants are already strings). */
export type CustomerOverview = CO;
export type OrdersPage = Awaited2<ReturnType<typeof listOrders>>;
export type OrderItem = OrdersPage["items"][number];
export type DecisionsPage = Awaited2<ReturnType<typeof searchDecisions>>;
export type DecisionDetail = Awaited2<ReturnType<typeof getDecision>>;
export type Worklist = Awaited2<ReturnType<typeof collectionsWorklist>>;
export type ModelsOverview = Awaited2<ReturnType<typeof modelsOverview>>;

export type { ExplainedReason, FiredRule } from "../readmodel/records";
