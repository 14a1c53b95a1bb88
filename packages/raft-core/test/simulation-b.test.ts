/** The other half of the simulation seeds (split so two workers share them). */
import { describeSimulation } from './sim/run-seeds.js';

describeSimulation(1, 2);
