/**
 * Every family the fake serves. A new family is a new file in this folder and one line here.
 */
import type { Family } from '../family.js';
import { customers } from './customers.js';
import { orders } from './orders.js';
import { products } from './products.js';

/** The built-in families, in the order their fixtures are loaded. */
export const FAMILIES: readonly Family[] = [customers, products, orders];
