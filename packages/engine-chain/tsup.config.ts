import { library } from '@avs/tooling-config/tsup';

export default library();
